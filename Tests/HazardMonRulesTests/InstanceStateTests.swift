// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonCore
import HazardMonRules
import Testing

/// The hand-written JSON of an instance state is what JSONEncoder writes, and reads back equal.
@Suite struct InstanceStateTests {
    static var states: [InstanceState] {
        var empty = InstanceState()
        empty.digest = "00ff"
        var raised = InstanceState()
        raised.level = .orange
        raised.since = 1_784_505_600_000
        raised.pendingSince = [1_784_505_000_000, 1_784_505_300_000, nil, nil]
        raised.pendingCount = [3, 2, 0, 0]
        raised.watching = true
        raised.silent = true
        raised.lowBattery = true
        raised.digest = "ad7ea1f851dfbea7"
        raised.evidence = Evidence(
            rule: "ff-rain", level: .orange, channelID: 7, channel: "D7/L3_YL_1", measure: "rain_1h", value: 60.25,
            threshold: 60, at: 1_784_505_600_000, window: 3_600_000, detail: "moisture \"wet\" (40) / 土壤")
        var partial = raised
        partial.evidence = Evidence(rule: "c", level: .none, measure: "all", value: 0, at: 5)
        return [empty, raised, partial]
    }

    @Test(arguments: states)
    func handWrittenJSONMatchesTheEncoder(_ state: InstanceState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(state.jsonText == String(decoding: try encoder.encode(state), as: UTF8.self))
        #expect(try JSONDecoder().decode(InstanceState.self, from: Data(state.jsonText.utf8)) == state)
    }
}
