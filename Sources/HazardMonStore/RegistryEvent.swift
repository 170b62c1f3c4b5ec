// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore

/// One entry of the append-only registry log: an import and what it changed.
public struct RegistryEvent: Sendable, Hashable {
    /// Increasing with time.
    public let id: Int64
    /// When the import ran, taken just before its transaction (stored as RFC 3339 UTC with milliseconds).
    public let at: Date
    /// The event kind, `registry.imported`.
    public let kind: String
    /// The change against the register stored before.
    public let diff: RegistryDiff

    /// Creates an event; the store makes these when reading its log.
    public init(id: Int64, at: Date, kind: String, diff: RegistryDiff) {
        self.id = id
        self.at = at
        self.kind = kind
        self.diff = diff
    }
}
