// SPDX-License-Identifier: Apache-2.0

extension Double {
    /// The number as people write it in messages: `300` rather than `300.0`, otherwise Swift's shortest
    /// round-trip form (`0.5`, `1e-05`).
    public var plainText: String {
        self == self.rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
