/* The engine's PeerConnections and their credentials: registration, ICE restart (a second
 * generation of credentials), and the lookup of a check's local ufrag in a hash table. */
#include "media/icelite/internal.h"

#include <errno.h>
#include <string.h>

#define UFRAG_MIN 4 /* RFC 8839 section 5.4 */
#define PWD_MIN 22
#define CREDENTIAL_MAX 256

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 section 5.4). */
static bool is_ice_string(const char *text, size_t min, size_t max)
{
    if (!text)
        return false;
    size_t length = strnlen(text, max + 1);
    if (length < min || length > max)
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '+' && c != '/')
            return false;
    }
    return true;
}

/* The remote ufrag comes from a remote description: accepted when it cannot break the
 * "local:remote" split of USERNAME and fits; "" or NULL means not known yet. */
static bool is_remote_ufrag(const char *text)
{
    if (!text || !text[0])
        return true;
    size_t length = strnlen(text, CREDENTIAL_MAX + 1);
    return length <= CREDENTIAL_MAX && !memchr(text, ':', length);
}

static char *remote_copy(const char *remote_ufrag)
{
    return remote_ufrag && remote_ufrag[0] ? g_strdup(remote_ufrag) : NULL;
}

static void credentials_clear(struct prism_icelite *engine, struct icelite_credentials *c)
{
    if (c->local_ufrag)
        g_hash_table_remove(engine->by_ufrag, c->local_ufrag);
    g_free(c->local_ufrag);
    g_free(c->local_pwd);
    g_free(c->remote_ufrag);
    memset(c, 0, sizeof(*c));
}

static void peer_free(struct prism_icelite *engine, struct icelite_peer *peer)
{
    while (peer->addresses)
        icelite_address_remove(engine, peer->addresses, false);
    credentials_clear(engine, &peer->previous);
    credentials_clear(engine, &peer->current);
    g_free(peer);
}

void icelite_registry_init(struct prism_icelite *engine)
{
    engine->by_owner = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->by_ufrag = g_hash_table_new(g_str_hash, g_str_equal);
}

void icelite_registry_free(struct prism_icelite *engine)
{
    GHashTableIter iter;
    gpointer peer;
    g_hash_table_iter_init(&iter, engine->by_owner);
    while (g_hash_table_iter_next(&iter, NULL, &peer)) {
        g_hash_table_iter_remove(&iter);
        peer_free(engine, peer);
    }
    g_hash_table_destroy(engine->by_owner);
    g_hash_table_destroy(engine->by_ufrag);
}

static struct icelite_peer *peer_for(struct prism_icelite *engine, void *owner)
{
    struct icelite_peer *peer = g_hash_table_lookup(engine->by_owner, owner);
    if (peer) {
        /* ICE restart: the generation before the current one is forgotten, the current one
         * keeps answering until the new one is used. */
        credentials_clear(engine, &peer->previous);
        peer->previous = peer->current;
        memset(&peer->current, 0, sizeof(peer->current));
        return peer;
    }
    peer = g_new0(struct icelite_peer, 1);
    peer->owner = owner;
    g_hash_table_insert(engine->by_owner, owner, peer);
    engine->stats.peers++;
    return peer;
}

int prism_icelite_register(struct prism_icelite *engine, void *owner,
                           const struct prism_icelite_credentials *credentials)
{
    if (!engine || !owner || !credentials ||
        !is_ice_string(credentials->local_ufrag, UFRAG_MIN, CREDENTIAL_MAX) ||
        !is_ice_string(credentials->local_pwd, PWD_MIN, CREDENTIAL_MAX) ||
        !is_remote_ufrag(credentials->remote_ufrag))
        return -EINVAL;
    if (g_hash_table_contains(engine->by_ufrag, credentials->local_ufrag))
        return -EEXIST;
    struct icelite_peer *peer = peer_for(engine, owner);
    struct icelite_credentials *c = &peer->current;
    c->local_ufrag = g_strdup(credentials->local_ufrag);
    c->local_pwd = g_strdup(credentials->local_pwd);
    c->local_pwd_len = strlen(c->local_pwd);
    c->remote_ufrag = remote_copy(credentials->remote_ufrag);
    g_hash_table_insert(engine->by_ufrag, c->local_ufrag, peer);
    return 0;
}

int prism_icelite_set_remote_ufrag(struct prism_icelite *engine, void *owner,
                                   const char *remote_ufrag)
{
    if (!engine || !owner || !is_remote_ufrag(remote_ufrag))
        return -EINVAL;
    struct icelite_peer *peer = g_hash_table_lookup(engine->by_owner, owner);
    if (!peer)
        return -ENOENT;
    g_free(peer->current.remote_ufrag);
    peer->current.remote_ufrag = remote_copy(remote_ufrag);
    return 0;
}

void prism_icelite_unregister(struct prism_icelite *engine, void *owner)
{
    if (!engine || !owner)
        return;
    struct icelite_peer *peer = g_hash_table_lookup(engine->by_owner, owner);
    if (!peer)
        return;
    g_hash_table_remove(engine->by_owner, owner);
    peer_free(engine, peer);
    icelite_events_drop_owner(engine, owner);
    engine->stats.peers--;
}

const struct icelite_credentials *icelite_credentials_find(struct prism_icelite *engine,
                                                           const char *ufrag,
                                                           struct icelite_peer **peer)
{
    struct icelite_peer *found = g_hash_table_lookup(engine->by_ufrag, ufrag);
    if (!found)
        return NULL;
    *peer = found;
    if (found->current.local_ufrag && strcmp(found->current.local_ufrag, ufrag) == 0)
        return &found->current;
    return &found->previous;
}

void icelite_credentials_confirm(struct prism_icelite *engine, struct icelite_peer *peer,
                                 const struct icelite_credentials *used)
{
    if (used == &peer->current && peer->previous.local_ufrag)
        credentials_clear(engine, &peer->previous);
}
