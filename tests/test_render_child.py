"""The render child keeps none of its parent's sockets (kept-alive clients, database)."""

import os
import socket
import stat

from readiness import pdf_render


def open_sockets() -> bytes:
    """Runs in the child: the file descriptors that are sockets."""
    fds = [int(name) for name in os.listdir("/proc/self/fd")]
    found = []
    for fd in fds:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                found.append(str(fd))
        except OSError:
            continue
    return ",".join(found).encode()


def test_render_child_closes_inherited_sockets():
    left, right = socket.socketpair()
    try:
        assert str(left.fileno()).encode() in open_sockets()  # the parent has them open
        in_child = pdf_render._in_child(open_sockets, (), timeout=30)
        assert in_child == b""
    finally:
        left.close()
        right.close()


def test_render_child_runs_at_lower_priority():
    niceness = pdf_render._in_child(lambda: str(os.nice(0)).encode(), (), timeout=30)
    assert int(niceness) >= os.nice(0) + pdf_render.RENDER_NICENESS or int(niceness) == 19
