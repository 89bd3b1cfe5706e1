#!/usr/bin/python3
"""A UDP relay that delays one direction of a path by a random 0..--max-delay-ms each datagram.

netem does not work in the test kernel, so jitter comes from this relay: a peer sends to the
relay's port (printed on stdout as one line, "<port>"), the relay sends each datagram on to
--target from its own socket after a delay drawn uniformly from [0, max-delay-ms], and returns
whatever the target sends back to the peer at once. By default the datagrams keep their order, as
in a queue that varies its delay (a datagram never leaves before the one ahead of it); --reorder
lets each go at its own time. Runs until stdin closes (its parent ends) or it is killed.
"""
import argparse
import collections
import random
import select
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="host:port the peer means to reach")
    parser.add_argument("--max-delay-ms", type=float, default=20)
    parser.add_argument("--reorder", action="store_true", help="do not keep the order")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    target = (host, int(port))
    rng = random.Random(args.seed)
    near = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the peer's side
    near.bind(("127.0.0.1", 0))
    far = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the target's side
    far.bind(("127.0.0.1", 0))
    print(near.getsockname()[1], flush=True)
    peer = None
    queue = collections.deque()  # (release time, datagram), in release order
    last_release = 0.0
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            far.sendto(queue.popleft()[1], target)
        timeout = max(0.0, queue[0][0] - now) if queue else None
        ready, _, _ = select.select([near, far, sys.stdin], [], [], timeout)
        if sys.stdin in ready and not sys.stdin.buffer.read1(4096):
            return
        if near in ready:
            data, peer = near.recvfrom(65536)
            release = time.monotonic() + rng.uniform(0, args.max_delay_ms / 1000)
            if args.reorder:
                queue.append((release, data))
                queue = collections.deque(sorted(queue, key=lambda item: item[0]))
            else:
                last_release = max(last_release, release)
                queue.append((last_release, data))
        if far in ready:
            data, _ = far.recvfrom(65536)
            if peer:
                near.sendto(data, peer)


if __name__ == "__main__":
    main()
