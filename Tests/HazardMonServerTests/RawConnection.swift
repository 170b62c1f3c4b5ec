// SPDX-License-Identifier: Apache-2.0
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to 127.0.0.1, for what an HTTP client library will not do: stall half-way through
/// a header, send broken chunk framing, wait for `100 Continue`, hold a connection idle, or watch for the
/// server's FIN.
///
/// The socket is non-blocking and every wait polls with `Task.sleep`, so a test never blocks one of the
/// few cooperative threads the in-process daemon also needs; every wait has a deadline.
final class RawConnection {
    let descriptor: Int32
    private(set) var received: [UInt8] = []
    private(set) var sawEOF = false
    private(set) var sawReset = false

    init(port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw TestFailure("connect to 127.0.0.1:\(port): errno \(code)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.descriptor = fd
    }

    deinit { close(self.descriptor) }

    /// Sends all of `bytes`, waiting while the socket buffer is full; false if the peer closed or the
    /// deadline passed first.
    @discardableResult
    func send(_ bytes: [UInt8], within timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
                _ = self.drain()  // keep reading what the server answers meanwhile
            } else {
                return false
            }
        }
        return true
    }

    func send(_ text: String, within timeout: Duration = .seconds(5)) async -> Bool {
        await self.send(Array(text.utf8), within: timeout)
    }

    /// Reads what is there without waiting; returns whether the connection ended (FIN or reset).
    private func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                self.received += buffer[..<count]
            } else if count == 0 {
                self.sawEOF = true
                return true
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return false
            } else {
                self.sawReset = true
                return true
            }
        }
    }

    /// Waits until the server ends the connection; true if it did within `timeout`.
    func waitForEnd(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.drain() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return self.drain()
    }

    /// Waits until the received text contains `marker`; true if it did within `timeout`.
    func waitFor(_ marker: String, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ended = self.drain()
            if self.text.contains(marker) { return true }
            if ended { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return self.text.contains(marker)
    }

    var text: String { String(decoding: self.received, as: UTF8.self) }
}

/// Sockets of `port` (local side) in a TCP state, from /proc/net/tcp: `"05"` is FIN-WAIT-2, `"01"` ESTABLISHED.
func tcpSockets(localPort port: Int, state: String) -> Int {
    guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return -1 }
    let hexPort = String(format: "%04X", port)
    return table.split(separator: "\n").dropFirst().filter { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(":\(hexPort)") && fields[3] == state
    }.count
}
