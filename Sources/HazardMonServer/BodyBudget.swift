// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The bytes that request bodies being received and decoded may hold at once (`body_memory_bytes`).
///
/// A request reserves its declared `Content-Length` (a chunked one reserves `body_limit_bytes`) before its
/// body is read and gives it back when it is answered. When the reservation does not fit, the request is
/// answered 503 with `Retry-After` and its body is never read, so many slow or stalled uploads cannot
/// take the daemon's memory beyond the budget (plus what the read timeout lets them hold meanwhile).
final class BodyBudget: Sendable {
    let capacity: Int
    private let used = Mutex(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Takes `bytes` from the budget, or returns false when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        self.used.withLock { used in
            guard used + bytes <= self.capacity else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        self.used.withLock { $0 -= bytes }
    }

    /// Bytes reserved now.
    var reserved: Int { self.used.withLock { $0 } }
}
