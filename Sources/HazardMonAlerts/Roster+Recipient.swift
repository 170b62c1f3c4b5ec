// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

extension Roster {
    /// The contacts an alert's role-level ``Recipient`` reaches for a site of `village` (its 12-digit code) in
    /// `township`: the people of the recipient's scope (the village, its township, or the county) who hold the
    /// recipient's role and whom some gateway reaches, in file order.
    ///
    /// The ``AlertMachine`` names roles and tiers only; the delivery worker calls this when it sends, so a roster
    /// reloaded since the message was queued is the one used.
    ///
    /// ```swift
    /// roster.contacts(for: Recipient(role: .monitor), village: site.villageCode, township: site.township)
    /// ```
    public func contacts(for recipient: Recipient, village: String, township: String) -> [Contact] {
        let scope: ContactScope =
            switch recipient.tier {
            case .village: .village(code: village)
            case .township: .township(name: township)
            case .county: .county
            }
        return self.contacts.filter { $0.scope == scope && $0.isReachable && $0.roles.contains(recipient.role) }
    }
}
