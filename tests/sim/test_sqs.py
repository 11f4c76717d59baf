"""SQS as the workers rely on it. Moto's SQS backend is not safe across threads: two receives at
once could both take messages of one FIFO group (or fail with "Set changed size during
iteration"), which real SQS never does. localaws.make_sqs_atomic() makes each call atomic; this
checks it in-process, with the thread switch interval at its smallest to bring the races out."""

from __future__ import annotations

import sys
import threading
import uuid

import localaws


def test_a_fifo_group_goes_to_one_receive_at_a_time():
    from moto.sqs.models import sqs_backends

    localaws.make_sqs_atomic()
    backend = sqs_backends["123456789012"]["us-east-1"]
    errors: list[BaseException] = []
    split: list[str] = []
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for round_ in range(30):
            name = f"group-{uuid.uuid4().hex[:12]}.fifo"
            backend.create_queue(name, FifoQueue="true")
            for i in range(40):
                backend.send_message(name, f"m{i}", group_id="web", deduplication_id=uuid.uuid4().hex)
            got: list[list[str]] = [[] for _ in range(8)]
            barrier = threading.Barrier(len(got))

            def receive(k: int) -> None:
                barrier.wait()
                try:
                    got[k] = [m.body for m in backend.receive_message(name, 10, 0, 60)]
                except BaseException as e:  # noqa: BLE001 - reported below
                    errors.append(e)

            threads = [threading.Thread(target=receive, args=(k,)) for k in range(len(got))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            holders = [g for g in got if g]
            if len(holders) != 1 or holders[0] != [f"m{i}" for i in range(10)]:
                split.append(f"round {round_}: {holders}")
    finally:
        sys.setswitchinterval(before)
    assert not errors, errors[:3]
    assert not split, split[:3]


def test_a_long_poll_still_waits_and_does_not_hold_the_others_up():
    from moto.sqs.models import sqs_backends

    localaws.make_sqs_atomic()
    backend = sqs_backends["123456789012"]["us-east-1"]
    name = f"poll-{uuid.uuid4().hex[:12]}"
    backend.create_queue(name)
    out: list[list[str]] = []
    poller = threading.Thread(target=lambda: out.append([m.body for m in backend.receive_message(name, 1, 5, 30)]))
    poller.start()
    # The long poll is waiting; a send goes through at once and the poll returns the message.
    backend.send_message(name, "hello")
    poller.join(timeout=5)
    assert out == [["hello"]]
