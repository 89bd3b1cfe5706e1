/* Fuzzes the light client ICE engine (media/iceclient): a client checking towards Prism's
 * ICE-lite engine (the rig of tests/unit/iceclient_rig.h). The input is first fed whole as one
 * datagram from the server's address, then read as records:
 *
 *   op (1 byte) | argument (1 byte) | for op 0: `argument` bytes of datagram
 *
 *   op % 5 == 0: the datagram, from the source op / 5 % 4 (server, another port, IPv6, a
 *                stranger)
 *   op % 5 == 1: time moves on by argument * 50 ms, then every datagram due is polled
 *   op % 5 == 2: the server answers the last check polled; the answer is cut to argument bytes
 *                when argument is below its length, else delivered whole
 *   op % 5 == 3: a full agent's check from the server's address (USE-CANDIDATE and
 *                ICE-CONTROLLING from the argument's bits 0 and 1; bit 2 signs it with a wrong
 *                password)
 *   op % 5 == 4: a remote candidate is added (port 20000 + argument)
 *
 * After every step the engine's promises are checked (answers fit, what it sends goes to a
 * known remote, a selected address is a known remote, no selection after failure); a broken
 * promise aborts. Seeds: tests/fuzz/corpus/iceclient. */
#include "../unit/iceclient_rig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    struct iceclient_rig rig;
    uint64_t now;
    uint8_t last_check[PRISM_ICECLIENT_DATAGRAM_MAX];
    size_t last_check_len;
    bool failed;
};

static bool known_remote(const struct prism_iceclient *client, const struct sockaddr_storage *a)
{
    for (unsigned i = 0; i < client->remote_count; i++)
        if (icelite_same_addr(&client->remotes[i].address, a))
            return true;
    return false;
}

static void check_promises(struct fuzz_state *s)
{
    enum prism_iceclient_event event;
    while ((event = prism_iceclient_take_event(&s->rig.client)) != PRISM_ICECLIENT_EVENT_NONE)
        if (event == PRISM_ICECLIENT_EVENT_FAILED)
            s->failed = true;
    const struct sockaddr_storage *selected = prism_iceclient_selected(&s->rig.client, NULL);
    if (selected && (s->failed || !known_remote(&s->rig.client, selected)))
        __builtin_trap();
}

static void deliver(struct fuzz_state *s, const uint8_t *datagram, size_t len,
                    const struct sockaddr_storage *from)
{
    uint8_t reply[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct prism_iceclient_output out = {.reply = reply, .reply_capacity = sizeof(reply)};
    (void)prism_iceclient_receive(&s->rig.client, datagram, len, (const struct sockaddr *)from,
                                  icelite_addr_len(from), s->now, &out);
    if (out.reply_len > sizeof(reply))
        __builtin_trap();
}

static void poll_due(struct fuzz_state *s)
{
    uint8_t buf[PRISM_ICECLIENT_DATAGRAM_MAX];
    struct sockaddr_storage to;
    socklen_t to_len;
    size_t len;
    unsigned guard = 0;
    while ((len = prism_iceclient_poll(&s->rig.client, s->now, buf, sizeof(buf), &to, &to_len))) {
        if (len > sizeof(buf) || !known_remote(&s->rig.client, &to) || ++guard > 64)
            __builtin_trap();
        memcpy(s->last_check, buf, len);
        s->last_check_len = len;
    }
}

static void server_answers(struct fuzz_state *s, uint8_t cut)
{
    if (!s->last_check_len)
        return;
    uint8_t reply[PRISM_ICELITE_REPLY_MAX];
    size_t len = rig_to_server(&s->rig, s->last_check, s->last_check_len, s->now, reply);
    if (cut < len)
        len = cut;
    deliver(s, reply, len, &s->rig.server_address);
}

static void full_agent_check(struct fuzz_state *s, uint8_t bits)
{
    struct icelite_client full;
    icelite_client_init(&full, RIG_CLIENT_UFRAG, RIG_SERVER_UFRAG,
                        bits & 4 ? "wrongpassword0123456789" : RIG_CLIENT_PWD);
    uint8_t check[512];
    size_t len = icelite_client_check_role(&full, check, sizeof(check), bits & 1, bits & 2,
                                           0x5555555555555555ull);
    deliver(s, check, len, &s->rig.server_address);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_state s;
    memset(&s, 0, sizeof(s));
    rig_init(&s.rig, size > 0 && (data[0] & 1), RIG_SERVER_PWD);
    s.now = 1000 * SECOND_US;
    prism_iceclient_start(&s.rig.client, s.now);
    struct sockaddr_storage sources[4] = {s.rig.server_address, icelite_v4("127.0.0.1", 20001),
                                          icelite_v6("::1", 20000), icelite_v4("10.9.9.9", 7)};
    deliver(&s, data, size, &s.rig.server_address);
    check_promises(&s);
    size_t at = 0;
    while (at + 2 <= size) {
        uint8_t op = data[at], argument = data[at + 1];
        at += 2;
        switch (op % 5) {
        case 0: {
            size_t len = argument <= size - at ? argument : size - at;
            deliver(&s, data + at, len, &sources[op / 5 % 4]);
            at += len;
            break;
        }
        case 1:
            s.now += (uint64_t)argument * 50000u;
            poll_due(&s);
            break;
        case 2:
            server_answers(&s, argument);
            break;
        case 3:
            full_agent_check(&s, argument);
            break;
        default: {
            struct sockaddr_storage candidate = icelite_v4("127.0.0.1",
                                                           (uint16_t)(20000 + argument));
            (void)prism_iceclient_add_remote(&s.rig.client, (struct sockaddr *)&candidate,
                                             sizeof(struct sockaddr_in));
            break;
        }
        }
        check_promises(&s);
    }
    rig_clear(&s.rig);
    return 0;
}
