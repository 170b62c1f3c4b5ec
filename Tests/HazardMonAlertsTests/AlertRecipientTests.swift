// SPDX-License-Identifier: Apache-2.0
import HazardMonAlerts
import HazardMonCore
import Testing

/// The machine's role-level recipients turned into the roster's people.
@Suite struct AlertRecipientTests {
    static func roster() throws -> Roster {
        try RosterLoader.parse(contacts: RosterFixture.contacts, policy: RosterFixture.policy, registry: RosterFixture.registry)
    }

    @Test(arguments: [
        (Recipient(role: .monitor), "500999101201", "青岩镇", ["甲一"]),
        (Recipient(role: .villageHead), "500999101201", "青岩镇", ["甲二"]),
        (Recipient(role: .gridWorker), "500999101202", "青岩镇", ["乙二"]),
        (Recipient(role: .gridWorker), "500999101201", "青岩镇", []),
        (Recipient(role: .townshipDuty), "500999201201", "白岩乡", ["丁二"]),
        (Recipient(role: .countyDuty), "500999201201", "白岩乡", ["戊一"]),
        (Recipient(role: .monitor, tier: .township), "500999101201", "青岩镇", []),
    ])
    func recipientToContacts(recipient: Recipient, village: String, township: String, names: [String]) throws {
        #expect(try Self.roster().contacts(for: recipient, village: village, township: township).map(\.name) == names)
    }

    @Test func aRedAlertReachesTheVillageTheTownshipAndTheCounty() throws {
        let roster = try Self.roster()
        var machine = AlertMachine(policy: roster.policy)
        let step = try machine.apply(
            .transition(LevelTransition(siteCode: "S1", from: .none, to: .red, at: 0, cause: .raised, evidence: []))
        )
        let people = step.messages.flatMap { roster.contacts(for: $0.recipient, village: "500999101202", township: "青岩镇").map(\.name) }
        // The fixture's red tells monitor, village head, township and county duty (no grid worker).
        #expect(step.messages.map(\.recipient.description) == ["monitor@village", "village_head@village", "township_duty@township", "county_duty@county"])
        #expect(people == ["乙一", "乙二", "丁一", "戊一"])
    }
}
