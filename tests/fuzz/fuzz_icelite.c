/* Fuzzes the ICE-lite engine: the input is fed whole as one datagram, then played as a script
 * of datagrams from four sources with virtual time, consent timeouts, ICE restarts and
 * re-registrations (tests/fuzz/icelite_script.h), checking after every step that answers fit
 * their buffer, media goes to registered owners only and the events tell the truth about each
 * owner's selected address. Seeds: tests/unit/test_icelite_fuzz_seeds.c writes and checks them. */
#include "icelite_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)icelite_script_play(data, size);
    return 0;
}
