/* A stand-in for libgupnp-igd-1.0.so.4 that lets Debian 12's simple-whip-client run.
 *
 * whip-client links libsoup 2.4; libnice links libgupnp-igd (UPnP port mapping), which pulls
 * libgupnp-1.6 and with it libsoup 3, and libsoup 3 aborts a process that holds libsoup 2
 * ("Using libsoup2 and libsoup3 in the same process is not supported"). Put first on
 * LD_LIBRARY_PATH for whip-client only, this library answers libnice's four calls so that
 * UPnP is simply unavailable: gupnp_simple_igd_thread_new returns NULL, which libnice takes as
 * "no UPnP" (as it does when the real library fails). Nothing in the tests uses UPnP: every
 * address is 127.0.0.1 inside the test namespace. */
#include <glib-object.h>

GType gupnp_simple_igd_get_type(void);
void *gupnp_simple_igd_thread_new(void);
void gupnp_simple_igd_add_port(void *self, const gchar *protocol, guint external_port,
                               const gchar *local_ip, guint local_port, guint lease_duration,
                               const gchar *description);
void gupnp_simple_igd_remove_port_local(void *self, const gchar *protocol, const gchar *local_ip,
                                        guint16 local_port);

GType gupnp_simple_igd_get_type(void)
{
    return G_TYPE_OBJECT;
}

void *gupnp_simple_igd_thread_new(void)
{
    return NULL;
}

void gupnp_simple_igd_add_port(void *self, const gchar *protocol, guint external_port,
                               const gchar *local_ip, guint local_port, guint lease_duration,
                               const gchar *description)
{
    (void)self, (void)protocol, (void)external_port, (void)local_ip, (void)local_port;
    (void)lease_duration, (void)description;
}

void gupnp_simple_igd_remove_port_local(void *self, const gchar *protocol, const gchar *local_ip,
                                        guint16 local_port)
{
    (void)self, (void)protocol, (void)local_ip, (void)local_port;
}
