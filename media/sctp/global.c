/* usrsctp's process-wide life: started by the first reference and finished by the last, with a
 * timer thread of ours; and the registry that turns the addresses usrsctp calls back with into
 * live associations, so that a late callback never reaches a freed one.
 *
 * usrsctp_init() would start receive threads on raw IPv4/IPv6 SCTP sockets when the process may
 * open them (as root it can), exposing usrsctp to the network. usrsctp_init_nothreads() opens
 * nothing; the only thing its threads did that we need is the timer tick, done here. */
#include "media/sctp/internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <usrsctp.h>

#include "core/log.h"

#define TICK_MS 10
/* usrsctp frees a closed socket on a timer; finishing waits for that, at most this long. */
#define FINISH_ATTEMPTS 500

/* Start and stop, guarded by life_lock. `running` stays true if usrsctp could not finish. */
static GMutex life_lock;
static unsigned users;
static bool running;
static bool manual_timers;
static GThread *timer_thread;

/* The timer thread sleeps on timer_cond; timer_stop ends it. The flag is atomic as well as
 * set under timer_lock, so that ThreadSanitizer, which cannot see GLib's futex-based mutexes,
 * has a synchronisation it understands. */
static GMutex timer_lock;
static GCond timer_cond;
static atomic_bool timer_stop;

/* Live associations by id. Entries are not references: destroy removes its entry first. */
static GMutex registry_lock;
static GHashTable *registry;
static uintptr_t next_id = 1;

/* ---- registry ---- */

uintptr_t sctp_registry_add(struct prism_sctp_association *a)
{
    g_mutex_lock(&registry_lock);
    if (!registry)
        registry = g_hash_table_new(g_direct_hash, g_direct_equal);
    uintptr_t id = next_id++;
    g_hash_table_insert(registry, (gpointer)id, a);
    g_mutex_unlock(&registry_lock);
    return id;
}

void sctp_registry_remove(uintptr_t id)
{
    g_mutex_lock(&registry_lock);
    if (registry) {
        g_hash_table_remove(registry, (gpointer)id);
        if (g_hash_table_size(registry) == 0) {
            g_hash_table_destroy(registry);
            registry = NULL;
        }
    }
    g_mutex_unlock(&registry_lock);
}

struct prism_sctp_association *sctp_registry_ref(uintptr_t id)
{
    struct prism_sctp_association *a = NULL;
    g_mutex_lock(&registry_lock);
    if (registry)
        a = g_hash_table_lookup(registry, (gpointer)id);
    if (a)
        sctp_association_ref(a);
    g_mutex_unlock(&registry_lock);
    return a;
}

/* usrsctp has a packet for the address an association registered: any thread, usrsctp's
 * locks held, so it only queues a copy for the owner. */
static int conn_output_cb(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df)
{
    struct prism_sctp_association *a = sctp_registry_ref((uintptr_t)addr);
    if (a) {
        sctp_association_queue_packet(a, buffer, length);
        sctp_association_unref(a);
    }
    return 0;
}

/* ---- life ---- */

static gpointer timer_main(gpointer data)
{
    gint64 last = g_get_monotonic_time();
    g_mutex_lock(&timer_lock);
    while (!atomic_load(&timer_stop)) {
        gint64 next = last + TICK_MS * G_TIME_SPAN_MILLISECOND;
        if (g_get_monotonic_time() < next) {
            g_cond_wait_until(&timer_cond, &timer_lock, next);
            continue;
        }
        gint64 elapsed_ms = (g_get_monotonic_time() - last) / G_TIME_SPAN_MILLISECOND;
        last += elapsed_ms * G_TIME_SPAN_MILLISECOND;
        g_mutex_unlock(&timer_lock);
        usrsctp_handle_timers((uint32_t)elapsed_ms);
        g_mutex_lock(&timer_lock);
    }
    g_mutex_unlock(&timer_lock);
    return NULL;
}

static int start_timer_thread(void)
{
    atomic_store(&timer_stop, false);
    GError *error = NULL;
    timer_thread = g_thread_try_new("prism-sctp", timer_main, NULL, &error);
    if (timer_thread)
        return 0;
    prism_error("sctp", "cannot start the SCTP timer thread: %s", error->message);
    g_error_free(error);
    return -EAGAIN;
}

static void stop_timer_thread(void)
{
    if (!timer_thread)
        return;
    g_mutex_lock(&timer_lock);
    atomic_store(&timer_stop, true);
    g_cond_signal(&timer_cond);
    g_mutex_unlock(&timer_lock);
    g_thread_join(timer_thread);
    timer_thread = NULL;
}

static void start_usrsctp(void)
{
    usrsctp_init_nothreads(0, conn_output_cb, NULL);
    /* RFC 8831 section 6.2: PR-SCTP and stream reconfiguration are needed; address
     * reconfiguration makes no sense over DTLS, nor does ECN inside an encrypted record. */
    usrsctp_sysctl_set_sctp_pr_enable(1);
    usrsctp_sysctl_set_sctp_reconfig_enable(1);
    usrsctp_sysctl_set_sctp_asconf_enable(0);
    usrsctp_sysctl_set_sctp_auto_asconf(0);
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    running = true;
}

static void finish_usrsctp(void)
{
    for (int i = 0; i < FINISH_ATTEMPTS; i++) {
        if (usrsctp_finish() == 0) {
            running = false;
            return;
        }
        usrsctp_handle_timers(TICK_MS);
        g_usleep(TICK_MS * 1000);
    }
    prism_error("sctp", "usrsctp still has sockets after %d s; leaving it running",
                FINISH_ATTEMPTS * TICK_MS / 1000);
}

int prism_sctp_global_ref(void)
{
    int rc = 0;
    g_mutex_lock(&life_lock);
    if (users == 0) {
        if (!running)
            start_usrsctp();
        if (!manual_timers)
            rc = start_timer_thread();
        if (rc < 0)
            finish_usrsctp();
    }
    if (rc == 0)
        users++;
    g_mutex_unlock(&life_lock);
    return rc;
}

void prism_sctp_global_unref(void)
{
    g_mutex_lock(&life_lock);
    if (users == 0) {
        g_mutex_unlock(&life_lock);
        prism_error("sctp", "usrsctp reference released twice");
        return;
    }
    if (--users == 0) {
        stop_timer_thread();
        finish_usrsctp();
    }
    g_mutex_unlock(&life_lock);
}

void sctp_global_set_manual_timers(bool manual)
{
    g_mutex_lock(&life_lock);
    if (users == 0)
        manual_timers = manual;
    g_mutex_unlock(&life_lock);
}

void sctp_global_advance(uint32_t elapsed_ms)
{
    g_mutex_lock(&life_lock);
    if (running && manual_timers)
        usrsctp_handle_timers(elapsed_ms);
    g_mutex_unlock(&life_lock);
}
