"""Malformed messages on shell and control are dropped: no reply, no crash,
and the next good request is answered. Frames are sent raw with a DEALER."""
import json
import time
import uuid

import pytest
import zmq

QUIET = 1.0   # seconds in which no reply may arrive


@pytest.fixture
def dealer(kernel):
    socks = {}

    def get(channel):
        if channel not in socks:
            s = zmq.Context.instance().socket(zmq.DEALER)
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.IDENTITY, uuid.uuid4().hex.encode())
            s.connect(kernel.endpoint(channel))
            socks[channel] = s
        return socks[channel]

    yield get
    for s in socks.values():
        s.close()


def _no_reply(sock):
    assert not sock.poll(int(QUIET * 1000)), f"got a reply to a malformed message: {sock.recv_multipart()}"


def _good_request_answered(kernel, sock):
    mid, frames = kernel.raw_frames("kernel_info_request")
    sock.send_multipart(frames)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not sock.poll(1000):
            continue
        got = sock.recv_multipart()
        i = got.index(b"<IDS|MSG>")
        assert got[i + 1] == kernel.sign(got[i + 2:i + 6]), "reply with a bad signature"
        parent = json.loads(got[i + 3])
        header = json.loads(got[i + 2])
        if parent.get("msg_id") == mid:
            assert header["msg_type"] == "kernel_info_reply"
            return
    raise AssertionError("the good request after a malformed one was not answered")


def _check(kernel, sock, frames):
    sock.send_multipart(frames)
    _no_reply(sock)
    assert kernel.alive(), "the kernel died on a malformed message"
    _good_request_answered(kernel, sock)


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_forged_signature(kernel, dealer, channel):
    _, frames = kernel.raw_frames("kernel_info_request")
    frames[1] = b"0" * 64
    _check(kernel, dealer(channel), frames)


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_signature_of_other_content(kernel, dealer, channel):
    _, frames = kernel.raw_frames("kernel_info_request")
    frames[5] = b'{"tampered": true}'
    _check(kernel, dealer(channel), frames)


def test_empty_signature_with_a_key(kernel, dealer):
    _, frames = kernel.raw_frames("kernel_info_request")
    frames[1] = b""
    _check(kernel, dealer("shell"), frames)


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_too_few_frames(kernel, dealer, channel):
    _, frames = kernel.raw_frames("kernel_info_request")
    _check(kernel, dealer(channel), frames[:4])


def test_only_delimiter(kernel, dealer):
    _check(kernel, dealer("shell"), [b"<IDS|MSG>"])


def test_no_delimiter(kernel, dealer):
    _, frames = kernel.raw_frames("kernel_info_request")
    _check(kernel, dealer("shell"), frames[1:])


def test_garbage_frames(kernel, dealer):
    _check(kernel, dealer("shell"), [b"\xff\xfe\x00garbage", b"\x00" * 100, b"not json at all"])


def test_garbage_after_delimiter(kernel, dealer):
    _check(kernel, dealer("shell"), [b"<IDS|MSG>", b"\x01\x02", b"\xff" * 10, b"", b"{", b"}"])


@pytest.mark.parametrize("channel", ["shell", "control"])
def test_invalid_json_correctly_signed(kernel, dealer, channel):
    parts = [b"{not json", b"{}", b"{}", b"{}"]
    _check(kernel, dealer(channel), [b"<IDS|MSG>", kernel.sign(parts)] + parts)


def test_header_not_an_object(kernel, dealer):
    parts = [b"[1, 2, 3]", b"{}", b"{}", b"{}"]
    _check(kernel, dealer("shell"), [b"<IDS|MSG>", kernel.sign(parts)] + parts)


def test_content_not_an_object(kernel, dealer):
    hdr = {"msg_id": uuid.uuid4().hex, "msg_type": "kernel_info_request", "username": "t",
           "session": uuid.uuid4().hex, "date": "2024-01-01T00:00:00Z", "version": "5.5"}
    parts = [json.dumps(hdr).encode(), b"{}", b"{}", b'"a string"']
    _check(kernel, dealer("shell"), [b"<IDS|MSG>", kernel.sign(parts)] + parts)


@pytest.mark.parametrize("missing", ["msg_type", "msg_id"])
def test_header_missing_fields(kernel, dealer, missing):
    hdr = {"msg_id": uuid.uuid4().hex, "msg_type": "kernel_info_request", "username": "t",
           "session": uuid.uuid4().hex, "date": "2024-01-01T00:00:00Z", "version": "5.5"}
    del hdr[missing]
    _, frames = kernel.raw_frames("kernel_info_request", header=hdr)
    _check(kernel, dealer("shell"), frames)


def test_unknown_msg_type_no_crash(kernel, dealer):
    """An unknown request type gets no reply (or an error reply) but never a crash."""
    sock = dealer("shell")
    _, frames = kernel.raw_frames("no_such_request")
    sock.send_multipart(frames)
    time.sleep(QUIET)
    while sock.poll(0):
        sock.recv_multipart()
    assert kernel.alive()
    _good_request_answered(kernel, sock)


def test_execute_request_missing_code(kernel, dealer):
    """execute_request without `code`: dropped or answered with an error, never a crash."""
    sock = dealer("shell")
    _, frames = kernel.raw_frames("execute_request", {"silent": False})
    sock.send_multipart(frames)
    time.sleep(QUIET)
    while sock.poll(0):
        sock.recv_multipart()
    assert kernel.alive()
    _good_request_answered(kernel, sock)


def test_huge_message_no_crash(kernel, dealer):
    _, frames = kernel.raw_frames("complete_request", {"code": "x" * 5_000_000, "cursor_pos": 5_000_000})
    sock = dealer("shell")
    sock.send_multipart(frames)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not sock.poll(500):
        pass
    while sock.poll(200):
        sock.recv_multipart()
    assert kernel.alive()
    _good_request_answered(kernel, sock)


def test_kernel_still_executes(kernel):
    assert "alive" in kernel.ok("!echo alive").stdout
