// SPDX-License-Identifier: Apache-2.0
import HazardMonAlerts
import HazardMonCore
import Testing

/// The alert state machine, table by table: inputs with their times, and the exact events (each queued
/// message is one `queued` line naming its template, level, recipient and idempotency key).
@Suite struct AlertMachineTests {
    typealias F = AlertFixture

    @Test func blueUpToRedAndBackStaysOpenEasing() throws {
        var machine = AlertMachine(policy: F.policy)
        let lines = try F.run(
            [
                F.change(.none, .blue, at: 0), F.change(.blue, .yellow, at: 1), F.change(.yellow, .orange, at: 2),
                F.change(.orange, .red, at: 3), F.change(.red, .yellow, at: 4), F.change(.yellow, .none, at: 5),
            ],
            machine: &machine
        )
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-1#2 @0 queued alert blue to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert blue to township_duty@township key alert-1/1/township_duty@township
            alert-1#4 @60000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#5 @60000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-1#6 @60000 queued alert yellow to monitor@village key alert-1/4/monitor@village
            alert-1#7 @60000 queued alert yellow to village_head@village key alert-1/4/village_head@village
            alert-1#8 @60000 queued alert yellow to grid_worker@village key alert-1/4/grid_worker@village
            alert-1#9 @60000 queued alert yellow to township_duty@township key alert-1/4/township_duty@township
            alert-1#10 @120000 upgraded yellow->orange (raised) [rain-orange]
            alert-1#11 @120000 superseded alert-1/4/monitor@village alert-1/4/village_head@village alert-1/4/grid_worker@village alert-1/4/township_duty@township
            alert-1#12 @120000 queued alert orange to monitor@village key alert-1/10/monitor@village
            alert-1#13 @120000 queued alert orange to village_head@village key alert-1/10/village_head@village
            alert-1#14 @120000 queued alert orange to grid_worker@village key alert-1/10/grid_worker@village
            alert-1#15 @120000 queued alert orange to township_duty@township key alert-1/10/township_duty@township
            alert-1#16 @180000 upgraded orange->red (raised) [rain-red]
            alert-1#17 @180000 superseded alert-1/10/monitor@village alert-1/10/village_head@village alert-1/10/grid_worker@village alert-1/10/township_duty@township
            alert-1#18 @180000 queued alert red to monitor@village key alert-1/16/monitor@village
            alert-1#19 @180000 queued alert red to village_head@village key alert-1/16/village_head@village
            alert-1#20 @180000 queued alert red to grid_worker@village key alert-1/16/grid_worker@village
            alert-1#21 @180000 queued alert red to township_duty@township key alert-1/16/township_duty@township
            alert-1#22 @180000 queued alert red to county_duty@county key alert-1/16/county_duty@county
            alert-1#23 @240000 downgraded red->yellow (lowered) [rain-yellow]
            alert-1#24 @300000 easing from yellow (lowered) []
            """
        ))
        let alert = try #require(machine.openAlert(site: "S1"))
        #expect(alert.status == .easing)
        #expect(alert.level == WarningLevel.none)
        #expect(alert.highest == .red)
    }

    @Test func yellowToNoneStandsDownThoseToldAtYellow() throws {
        var machine = AlertMachine(policy: F.policy)
        let lines = try F.run([F.change(.none, .blue, at: 0), F.change(.blue, .yellow, at: 1), F.change(.yellow, .none, at: 2)], machine: &machine)
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-1#2 @0 queued alert blue to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert blue to township_duty@township key alert-1/1/township_duty@township
            alert-1#4 @60000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#5 @60000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-1#6 @60000 queued alert yellow to monitor@village key alert-1/4/monitor@village
            alert-1#7 @60000 queued alert yellow to village_head@village key alert-1/4/village_head@village
            alert-1#8 @60000 queued alert yellow to grid_worker@village key alert-1/4/grid_worker@village
            alert-1#9 @60000 queued alert yellow to township_duty@township key alert-1/4/township_duty@township
            alert-1#10 @120000 downgraded yellow->none (lowered) []
            alert-1#11 @120000 superseded alert-1/4/monitor@village alert-1/4/village_head@village alert-1/4/grid_worker@village alert-1/4/township_duty@township
            alert-1#12 @120000 resolved by itself
            alert-1#13 @120000 queued stand_down yellow to monitor@village key alert-1/12/monitor@village
            alert-1#14 @120000 queued stand_down yellow to village_head@village key alert-1/12/village_head@village
            alert-1#15 @120000 queued stand_down yellow to grid_worker@village key alert-1/12/grid_worker@village
            alert-1#16 @120000 queued stand_down yellow to township_duty@township key alert-1/12/township_duty@township
            """
        ))
        #expect(machine.openAlert(site: "S1") == nil)
    }

    @Test func blueToNoneResolvesWithoutMessages() throws {
        let lines = try F.run([F.change(.none, .blue, at: 0), F.change(.blue, .none, at: 1)])
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-1#2 @0 queued alert blue to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert blue to township_duty@township key alert-1/1/township_duty@township
            alert-1#4 @60000 downgraded blue->none (lowered) []
            alert-1#5 @60000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-1#6 @60000 resolved by itself
            """
        ))
    }

    @Test func redResolveSendsAllClearToEveryoneTold() throws {
        var machine = AlertMachine(policy: F.policy)
        let lines = try F.run(
            [F.change(.none, .blue, at: 0), F.change(.blue, .red, at: 1), F.change(.red, .none, at: 2), F.resolve(1, by: "县值班员 王", at: 3)],
            machine: &machine)
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-1#2 @0 queued alert blue to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert blue to township_duty@township key alert-1/1/township_duty@township
            alert-1#4 @60000 upgraded blue->red (raised) [rain-red]
            alert-1#5 @60000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-1#6 @60000 queued alert red to monitor@village key alert-1/4/monitor@village
            alert-1#7 @60000 queued alert red to village_head@village key alert-1/4/village_head@village
            alert-1#8 @60000 queued alert red to grid_worker@village key alert-1/4/grid_worker@village
            alert-1#9 @60000 queued alert red to township_duty@township key alert-1/4/township_duty@township
            alert-1#10 @60000 queued alert red to county_duty@county key alert-1/4/county_duty@county
            alert-1#11 @120000 easing from red (lowered) []
            alert-1#12 @180000 superseded alert-1/4/monitor@village alert-1/4/village_head@village alert-1/4/grid_worker@village alert-1/4/township_duty@township alert-1/4/county_duty@county
            alert-1#13 @180000 resolved by 县值班员 王 note slope inspected
            alert-1#14 @180000 queued all_clear red to monitor@village key alert-1/13/monitor@village
            alert-1#15 @180000 queued all_clear red to township_duty@township key alert-1/13/township_duty@township
            alert-1#16 @180000 queued all_clear red to village_head@village key alert-1/13/village_head@village
            alert-1#17 @180000 queued all_clear red to grid_worker@village key alert-1/13/grid_worker@village
            alert-1#18 @180000 queued all_clear red to county_duty@county key alert-1/13/county_duty@county
            """
        ))
    }

    @Test func yellowRemindersThenEscalation() throws {
        let lines = try F.run([F.change(.none, .yellow, at: 0)] + [5, 10, 15, 20, 25, 30, 40, 60].map(F.tick))
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised yellow (raised) [rain-yellow]
            alert-1#2 @0 queued alert yellow to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert yellow to village_head@village key alert-1/1/village_head@village
            alert-1#4 @0 queued alert yellow to grid_worker@village key alert-1/1/grid_worker@village
            alert-1#5 @0 queued alert yellow to township_duty@township key alert-1/1/township_duty@township
            alert-1#6 @600000 reminded village
            alert-1#7 @600000 queued reminder yellow to monitor@village key alert-1/6/monitor@village
            alert-1#8 @600000 queued reminder yellow to village_head@village key alert-1/6/village_head@village
            alert-1#9 @600000 queued reminder yellow to grid_worker@village key alert-1/6/grid_worker@village
            alert-1#10 @600000 reminded township
            alert-1#11 @600000 queued reminder yellow to township_duty@township key alert-1/10/township_duty@township
            alert-1#12 @1200000 reminded village
            alert-1#13 @1200000 queued reminder yellow to monitor@village key alert-1/12/monitor@village
            alert-1#14 @1200000 queued reminder yellow to village_head@village key alert-1/12/village_head@village
            alert-1#15 @1200000 queued reminder yellow to grid_worker@village key alert-1/12/grid_worker@village
            alert-1#16 @1200000 reminded township
            alert-1#17 @1200000 queued reminder yellow to township_duty@township key alert-1/16/township_duty@township
            alert-1#18 @1800000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#19 @1800000 queued escalation yellow to township_duty@township key alert-1/18/township_duty@township
            alert-1#20 @1800000 escalated past township (township_duty) to county
            alert-1#21 @1800000 queued escalation yellow to county_duty@county key alert-1/20/county_duty@county
            alert-1#22 @2400000 reminded county
            alert-1#23 @2400000 queued reminder yellow to county_duty@county key alert-1/22/county_duty@county
            alert-1#24 @3600000 escalated past county (county_duty) to nobody
            """
        ))
    }

    @Test func orangeRemindsOnceAtHalfItsDeadline() throws {
        let lines = try F.run([F.change(.none, .orange, at: 0)] + [4.9, 5, 6, 9.9, 10, 20].map(F.tick))
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised orange (raised) [rain-orange]
            alert-1#2 @0 queued alert orange to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert orange to village_head@village key alert-1/1/village_head@village
            alert-1#4 @0 queued alert orange to grid_worker@village key alert-1/1/grid_worker@village
            alert-1#5 @0 queued alert orange to township_duty@township key alert-1/1/township_duty@township
            alert-1#6 @300000 reminded village
            alert-1#7 @300000 queued reminder orange to monitor@village key alert-1/6/monitor@village
            alert-1#8 @300000 queued reminder orange to village_head@village key alert-1/6/village_head@village
            alert-1#9 @300000 queued reminder orange to grid_worker@village key alert-1/6/grid_worker@village
            alert-1#10 @300000 reminded township
            alert-1#11 @300000 queued reminder orange to township_duty@township key alert-1/10/township_duty@township
            alert-1#12 @600000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#13 @600000 queued escalation orange to township_duty@township key alert-1/12/township_duty@township
            alert-1#14 @600000 escalated past township (township_duty) to county
            alert-1#15 @600000 queued escalation orange to county_duty@county key alert-1/14/county_duty@county
            alert-1#16 @1200000 escalated past county (county_duty) to nobody
            """
        ))
    }

    @Test func ackStopsRemindersAndARiseRearms() throws {
        let lines = try F.run(
            [F.change(.none, .yellow, at: 0), F.tick(10), F.ack(1, .village, by: "甲一", at: 11), F.ack(1, .township, by: "丁一", at: 12)]
                + [20, 30, 40].map(F.tick) + [F.change(.yellow, .orange, at: 41)] + [46, 51].map(F.tick))
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised yellow (raised) [rain-yellow]
            alert-1#2 @0 queued alert yellow to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert yellow to village_head@village key alert-1/1/village_head@village
            alert-1#4 @0 queued alert yellow to grid_worker@village key alert-1/1/grid_worker@village
            alert-1#5 @0 queued alert yellow to township_duty@township key alert-1/1/township_duty@township
            alert-1#6 @600000 reminded village
            alert-1#7 @600000 queued reminder yellow to monitor@village key alert-1/6/monitor@village
            alert-1#8 @600000 queued reminder yellow to village_head@village key alert-1/6/village_head@village
            alert-1#9 @600000 queued reminder yellow to grid_worker@village key alert-1/6/grid_worker@village
            alert-1#10 @600000 reminded township
            alert-1#11 @600000 queued reminder yellow to township_duty@township key alert-1/10/township_duty@township
            alert-1#12 @660000 acknowledged village by 甲一
            alert-1#13 @720000 acknowledged township by 丁一
            alert-1#14 @2460000 upgraded yellow->orange (raised) [rain-orange]
            alert-1#15 @2460000 superseded alert-1/1/monitor@village alert-1/1/village_head@village alert-1/1/grid_worker@village alert-1/1/township_duty@township alert-1/6/monitor@village alert-1/6/village_head@village alert-1/6/grid_worker@village alert-1/10/township_duty@township
            alert-1#16 @2460000 queued alert orange to monitor@village key alert-1/14/monitor@village
            alert-1#17 @2460000 queued alert orange to village_head@village key alert-1/14/village_head@village
            alert-1#18 @2460000 queued alert orange to grid_worker@village key alert-1/14/grid_worker@village
            alert-1#19 @2460000 queued alert orange to township_duty@township key alert-1/14/township_duty@township
            alert-1#20 @2760000 reminded village
            alert-1#21 @2760000 queued reminder orange to monitor@village key alert-1/20/monitor@village
            alert-1#22 @2760000 queued reminder orange to village_head@village key alert-1/20/village_head@village
            alert-1#23 @2760000 queued reminder orange to grid_worker@village key alert-1/20/grid_worker@village
            alert-1#24 @2760000 reminded township
            alert-1#25 @2760000 queued reminder orange to township_duty@township key alert-1/24/township_duty@township
            alert-1#26 @3060000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#27 @3060000 queued escalation orange to township_duty@township key alert-1/26/township_duty@township
            alert-1#28 @3060000 escalated past township (township_duty) to county
            alert-1#29 @3060000 queued escalation orange to county_duty@county key alert-1/28/county_duty@county
            """
        ))
    }

    @Test func supersession() throws {
        let lines = try F.run([F.change(.none, .yellow, at: 0), F.tick(10), F.change(.yellow, .red, at: 11), F.change(.red, .orange, at: 12)])
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised yellow (raised) [rain-yellow]
            alert-1#2 @0 queued alert yellow to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert yellow to village_head@village key alert-1/1/village_head@village
            alert-1#4 @0 queued alert yellow to grid_worker@village key alert-1/1/grid_worker@village
            alert-1#5 @0 queued alert yellow to township_duty@township key alert-1/1/township_duty@township
            alert-1#6 @600000 reminded village
            alert-1#7 @600000 queued reminder yellow to monitor@village key alert-1/6/monitor@village
            alert-1#8 @600000 queued reminder yellow to village_head@village key alert-1/6/village_head@village
            alert-1#9 @600000 queued reminder yellow to grid_worker@village key alert-1/6/grid_worker@village
            alert-1#10 @600000 reminded township
            alert-1#11 @600000 queued reminder yellow to township_duty@township key alert-1/10/township_duty@township
            alert-1#12 @660000 upgraded yellow->red (raised) [rain-red]
            alert-1#13 @660000 superseded alert-1/1/monitor@village alert-1/1/village_head@village alert-1/1/grid_worker@village alert-1/1/township_duty@township alert-1/6/monitor@village alert-1/6/village_head@village alert-1/6/grid_worker@village alert-1/10/township_duty@township
            alert-1#14 @660000 queued alert red to monitor@village key alert-1/12/monitor@village
            alert-1#15 @660000 queued alert red to village_head@village key alert-1/12/village_head@village
            alert-1#16 @660000 queued alert red to grid_worker@village key alert-1/12/grid_worker@village
            alert-1#17 @660000 queued alert red to township_duty@township key alert-1/12/township_duty@township
            alert-1#18 @660000 queued alert red to county_duty@county key alert-1/12/county_duty@county
            alert-1#19 @720000 downgraded red->orange (lowered) [rain-orange]
            """
        ))
    }

    @Test func repeatInterval() throws {
        let lines = try F.run([
            F.change(.none, .blue, at: 0), F.change(.blue, .yellow, at: 1), F.change(.yellow, .blue, at: 2), F.change(.blue, .yellow, at: 3),
            F.change(.yellow, .blue, at: 100), F.change(.blue, .yellow, at: 121),
        ])
        #expect(lines == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-1#2 @0 queued alert blue to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert blue to township_duty@township key alert-1/1/township_duty@township
            alert-1#4 @60000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#5 @60000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-1#6 @60000 queued alert yellow to monitor@village key alert-1/4/monitor@village
            alert-1#7 @60000 queued alert yellow to village_head@village key alert-1/4/village_head@village
            alert-1#8 @60000 queued alert yellow to grid_worker@village key alert-1/4/grid_worker@village
            alert-1#9 @60000 queued alert yellow to township_duty@township key alert-1/4/township_duty@township
            alert-1#10 @120000 downgraded yellow->blue (lowered) [rain-blue]
            alert-1#11 @180000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#12 @180000 repeat suppressed yellow (last @60000)
            alert-1#13 @6000000 downgraded yellow->blue (lowered) [rain-blue]
            alert-1#14 @7260000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#15 @7260000 queued alert yellow to monitor@village key alert-1/14/monitor@village
            alert-1#16 @7260000 queued alert yellow to village_head@village key alert-1/14/village_head@village
            alert-1#17 @7260000 queued alert yellow to grid_worker@village key alert-1/14/grid_worker@village
            alert-1#18 @7260000 queued alert yellow to township_duty@township key alert-1/14/township_duty@township
            """
        ))
    }

    @Test func aStandingLevelIsSentAgainEveryRepeatInterval() throws {
        var machine = AlertMachine(policy: F.policy)
        _ = try machine.apply([F.change(.none, .blue, at: 0), F.tick(119)])
        let lines = try F.run([F.tick(120), F.tick(121), F.tick(239.9), F.tick(240), F.change(.blue, .none, at: 241)], machine: &machine)
        #expect(lines == F.lines(
            """
            alert-1#4 @7200000 repeated blue
            alert-1#5 @7200000 queued alert blue to monitor@village key alert-1/4/monitor@village
            alert-1#6 @7200000 queued alert blue to township_duty@township key alert-1/4/township_duty@township
            alert-1#7 @14400000 repeated blue
            alert-1#8 @14400000 queued alert blue to monitor@village key alert-1/7/monitor@village
            alert-1#9 @14400000 queued alert blue to township_duty@township key alert-1/7/township_duty@township
            alert-1#10 @14460000 downgraded blue->none (lowered) []
            alert-1#11 @14460000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township alert-1/4/monitor@village alert-1/4/township_duty@township alert-1/7/monitor@village alert-1/7/township_duty@township
            alert-1#12 @14460000 resolved by itself
            """
        ))
        // An easing evacuation is not repeated.
        var easing = AlertMachine(policy: F.policy)
        _ = try easing.apply([F.change(.none, .red, at: 0), F.change(.red, .none, at: 1)])
        #expect(F.story(try F.run([F.tick(600)], machine: &easing)).allSatisfy { !$0.contains("repeated") })
    }

    @Test func drills() throws {
        var machine = AlertMachine(policy: F.policy)
        let step = try machine.apply([
            F.change(.none, .red, at: 0, exercise: true), F.change(.none, .blue, at: 1), F.change(.red, .none, at: 2, exercise: true),
            F.change(.blue, .none, at: 3),
        ])
        #expect(step.events.map(\.description) + step.messages.map(\.description) == F.lines(
            """
            alert-1#1 @0 raised red (raised) [rain-red]
            alert-1#2 @0 queued alert red to monitor@village key alert-1/1/monitor@village
            alert-1#3 @0 queued alert red to village_head@village key alert-1/1/village_head@village
            alert-1#4 @0 queued alert red to grid_worker@village key alert-1/1/grid_worker@village
            alert-1#5 @0 queued alert red to township_duty@township key alert-1/1/township_duty@township
            alert-1#6 @0 queued alert red to county_duty@county key alert-1/1/county_duty@county
            alert-2#1 @60000 raised blue (raised) [rain-blue]
            alert-2#2 @60000 queued alert blue to monitor@village key alert-2/1/monitor@village
            alert-2#3 @60000 queued alert blue to township_duty@township key alert-2/1/township_duty@township
            alert-1#7 @120000 easing from red (lowered) []
            alert-2#4 @180000 downgraded blue->none (lowered) []
            alert-2#5 @180000 superseded alert-2/1/monitor@village alert-2/1/township_duty@township
            alert-2#6 @180000 resolved by itself
            alert-1/1/monitor@village alert red @0 exercise
            alert-1/1/village_head@village alert red @0 exercise
            alert-1/1/grid_worker@village alert red @0 exercise
            alert-1/1/township_duty@township alert red @0 exercise
            alert-1/1/county_duty@county alert red @0 exercise
            alert-2/1/monitor@village alert blue @60000
            alert-2/1/township_duty@township alert blue @60000
            """
        ))
    }

    @Test func easingEvacuationStaysOpenUntilAPersonAndRisesAsTheSameAlert() throws {
        var machine = AlertMachine(policy: F.policy)
        _ = try machine.apply([F.change(.none, .red, at: 0), F.ack(1, .village, by: "甲一", at: 1), F.ack(1, .township, by: "丁一", at: 1)])
        _ = try machine.apply([F.ack(1, .county, by: "戊一", at: 1), F.change(.red, .none, at: 10)])
        let quiet = try machine.apply([F.tick(60), F.tick(24 * 60)])
        #expect(quiet.events.isEmpty)
        #expect(machine.openAlert(site: "S1")?.status == .easing)
        // Rises again within the repeat interval: the same alert, open again, red not sent twice.
        let again = try F.run([F.change(.none, .red, at: 90)], machine: &machine)
        #expect(again == ["alert-1#11 @5400000 upgraded none->red (raised) [rain-red]", "alert-1#12 @5400000 repeat suppressed red (last @0)"])
        #expect(machine.openAlert(site: "S1")?.status == .open)
        #expect(machine.state.open.count == 1)
    }

    @Test func redRemindsEveryTwoMinutesAndMissedSlotsAreNotABurst() throws {
        let lines = try F.run([F.change(.none, .red, at: 0), F.tick(1.9), F.tick(4.5), F.tick(4.9), F.tick(5)])
        #expect(F.story(lines) == F.lines(
            """
            alert-1#1 @0 raised red (raised) [rain-red]
            alert-1#7 @270000 reminded village
            alert-1#11 @270000 reminded township
            alert-1#13 @270000 reminded county
            alert-1#15 @300000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#17 @300000 escalated past township (township_duty) to county
            alert-1#19 @300000 escalated past county (county_duty) to nobody
            """
        ))
        #expect(lines.filter { $0.contains("queued reminder") }.count == 5)
    }

    @Test func eventsCarryTheRuleEnginesEvidence() throws {
        var machine = AlertMachine(policy: F.policy)
        let rain = Evidence(rule: "ff-rain", level: .orange, channelID: 7, channel: "RG01/rain", measure: "rain_1h", value: 61.5, threshold: 60, at: 1000, window: 3_600_000)
        let tilt = Evidence(rule: "tilt", level: .yellow, measure: "angle", value: 81, threshold: 80, at: 2000)
        let up = LevelTransition(siteCode: "S1", from: .none, to: .orange, at: 1000, cause: .raised, late: true, evidence: [rain])
        let down = LevelTransition(siteCode: "S1", from: .orange, to: .yellow, at: 2000, cause: .lowered, evidence: [tilt])
        let events = try machine.apply([.transition(up), .transition(down)]).events
        #expect(events.first?.kind == .raised(level: .orange, cause: .raised, evidence: [rain]))
        #expect(events.last?.kind == .downgraded(from: .orange, to: .yellow, cause: .lowered, evidence: [tilt]))
        #expect(machine.openAlert(site: "S1")?.evidence == [tilt])
    }

    @Test func unchangedLevelAndNoneWithoutAlertDoNothing() throws {
        var machine = AlertMachine(policy: F.policy)
        #expect(try machine.apply(F.change(.blue, .none, at: 0)).events.isEmpty)
        #expect(machine.state == AlertState())
        _ = try machine.apply(F.change(.none, .yellow, at: 1))
        let before = machine.state
        #expect(try machine.apply(F.change(.yellow, .yellow, at: 2)).events.isEmpty)
        #expect(machine.state == before)
    }

    @Test func refusedInputsAreErrorValuesAndChangeNothing() throws {
        var machine = AlertMachine(policy: F.policy)
        _ = try machine.apply([F.change(.none, .yellow, at: 0), F.change(.yellow, .none, at: 1), F.change(.none, .blue, at: 2)])
        let before = machine.state
        #expect(throws: AlertError.unknownAlert(AlertID(99))) { try machine.apply(F.resolve(99, by: "王", at: 3)) }
        #expect(throws: AlertError.alreadyResolved(AlertID(1))) { try machine.apply(F.resolve(1, by: "王", at: 3)) }
        #expect(throws: AlertError.alreadyResolved(AlertID(1))) { try machine.apply(F.ack(1, .village, by: "甲一", at: 3)) }
        #expect(throws: AlertError.unknownAlert(AlertID(0))) { try machine.apply(F.ack(0, .village, by: "甲一", at: 3)) }
        // Blue tells the village and the township, not the county.
        #expect(throws: AlertError.tierNotTold(AlertID(2), .county)) { try machine.apply(F.ack(2, .county, by: "戊一", at: 3)) }
        #expect(machine.state == before)
        #expect(AlertError.unknownAlert(AlertID(99)).description == "alert-99: no such alert")
        #expect(AlertError.alreadyResolved(AlertID(1)).description == "alert-1: already resolved")
        #expect(AlertError.tierNotTold(AlertID(2), .county).description == "alert-2: the county tier was not told of this alert")
        // Resolved by a person once; the second all-clear is refused.
        _ = try machine.apply(F.resolve(2, by: "王", at: 4))
        #expect(throws: AlertError.alreadyResolved(AlertID(2))) { try machine.apply(F.resolve(2, by: "王", at: 5)) }
    }

    @Test func acknowledgementIsRecordedOnTheTier() throws {
        var machine = AlertMachine(policy: F.policy)
        _ = try machine.apply([F.change(.none, .red, at: 0), .acknowledge(AlertID(1), tier: .village, by: "甲一", at: F.ms(2), note: "已转移")])
        let village = try #require(machine.openAlert(site: "S1")?.tiers.first)
        #expect(village.tier == .village)
        #expect(village.acknowledgedBy == "甲一")
        #expect(village.acknowledgedAt == F.ms(2))
        #expect(village.acknowledgedNote == "已转移")
        #expect(village.nextReminderAt == nil)
        #expect(village.remindedAt.isEmpty)
        #expect(village.deadline == F.ms(5))
    }

    @Test func messagesCarryTheirAlertLevelTimeAndKey() throws {
        var machine = AlertMachine(policy: F.policy)
        let step = try machine.apply([F.change(.none, .orange, at: 0, site: "S7", exercise: true), F.tick(5)])
        let reminder = try #require(step.messages.last)
        #expect(
            reminder
                == OutboxMessage(
                    alertID: AlertID(1), siteCode: "S7", exercise: true, recipient: Recipient(role: .townshipDuty, tier: .township),
                    template: .reminder, level: .orange, at: F.ms(5), causedBy: 10
                )
        )
        #expect(reminder.idempotencyKey == "alert-1/10/township_duty@township")
        #expect(step.messages.map(\.idempotencyKey) == step.events.compactMap {
            if case .messageQueued(let key, _, _, _) = $0.kind { key } else { nil }
        })
        #expect(Set(step.messages.map(\.idempotencyKey)).count == step.messages.count)
    }

    /// A storm for the restart test: two sites, a drill, acknowledgements, easing, an all-clear, a resolve
    /// refused, ticks throughout.
    static let storm: [AlertInput] = [
        F.change(.none, .blue, at: 0), F.change(.none, .yellow, at: 0.5, site: "S2"), F.tick(1),
        F.change(.blue, .yellow, at: 2), F.change(.none, .red, at: 3, exercise: true), F.tick(5), F.tick(6),
        F.ack(2, .village, by: "乙一", at: 7), F.tick(10), F.tick(11), F.change(.yellow, .red, at: 12),
        F.tick(14), F.ack(1, .township, by: "丁一", at: 15), F.tick(16), F.tick(17), F.change(.red, .orange, at: 18),
        F.tick(20), F.change(.orange, .none, at: 25), F.tick(30), F.change(.yellow, .none, at: 31, site: "S2"),
        F.tick(35), F.resolve(3, by: "演练指挥", at: 36), F.change(.none, .orange, at: 40), F.tick(45), F.tick(50),
        F.resolve(1, by: "县值班员 王", at: 55), F.resolve(1, by: "县值班员 王", at: 56), F.tick(60),
    ]

    /// Runs the storm; after `cut` inputs the state goes through JSON into a new machine.
    static func run(restartAfter cut: Int?) throws -> (events: [AlertEvent], messages: [OutboxMessage], errors: [AlertError], state: AlertState) {
        var machine = AlertMachine(policy: F.policy)
        var events: [AlertEvent] = []
        var messages: [OutboxMessage] = []
        var errors: [AlertError] = []
        for (index, input) in Self.storm.enumerated() {
            if index == cut { machine = AlertMachine(policy: F.policy, state: try F.roundTrip(machine.state)) }
            do {
                let step = try machine.apply(input)
                events += step.events
                messages += step.messages
            } catch {
                errors.append(error)
            }
        }
        return (events, messages, errors, machine.state)
    }

    @Test func restartFromTheSnapshotContinuesIdentically() throws {
        let straight = try Self.run(restartAfter: nil)
        #expect(straight.errors == [.alreadyResolved(AlertID(1))])
        #expect(straight.state.open.isEmpty)
        #expect(straight.state.nextNumber == 4)
        #expect(straight.events.count > 100)
        for cut in [1, 4, 8, 11, 13, 18, 21, 24, 26, 27] {
            let restarted = try Self.run(restartAfter: cut)
            #expect(restarted.events == straight.events, "restart after input \(cut)")
            #expect(restarted.messages == straight.messages, "restart after input \(cut)")
            #expect(restarted.errors == straight.errors, "restart after input \(cut)")
            #expect(restarted.state == straight.state, "restart after input \(cut)")
        }
    }

    /// The storm's story (without the queued lines): the table the restarts are compared against.
    @Test func stormStory() throws {
        let straight = try Self.run(restartAfter: nil)
        #expect(F.story(straight.events.map(\.description)) == F.lines(
            """
            alert-1#1 @0 raised blue (raised) [rain-blue]
            alert-2#1 @30000 raised yellow (raised) [rain-yellow]
            alert-1#4 @120000 upgraded blue->yellow (raised) [rain-yellow]
            alert-1#5 @120000 superseded alert-1/1/monitor@village alert-1/1/township_duty@township
            alert-3#1 @180000 raised red (raised) [rain-red]
            alert-3#7 @300000 reminded village
            alert-3#11 @300000 reminded township
            alert-3#13 @300000 reminded county
            alert-2#6 @420000 acknowledged village by 乙一
            alert-3#15 @600000 escalated past village (monitor,village_head,grid_worker) to township
            alert-3#17 @600000 escalated past township (township_duty) to county
            alert-3#19 @600000 escalated past county (county_duty) to nobody
            alert-2#7 @660000 reminded township
            alert-1#10 @720000 upgraded yellow->red (raised) [rain-red]
            alert-1#11 @720000 superseded alert-1/4/monitor@village alert-1/4/village_head@village alert-1/4/grid_worker@village alert-1/4/township_duty@township
            alert-1#17 @840000 reminded village
            alert-1#21 @840000 reminded township
            alert-1#23 @840000 reminded county
            alert-1#25 @900000 acknowledged township by 丁一
            alert-1#26 @960000 reminded village
            alert-1#30 @960000 reminded county
            alert-1#32 @1020000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#34 @1020000 escalated past county (county_duty) to nobody
            alert-1#35 @1080000 downgraded red->orange (lowered) [rain-orange]
            alert-1#36 @1500000 easing from orange (lowered) []
            alert-2#9 @1800000 reminded township
            alert-2#11 @1860000 downgraded yellow->none (lowered) []
            alert-2#12 @1860000 superseded alert-2/1/monitor@village alert-2/1/village_head@village alert-2/1/grid_worker@village alert-2/1/township_duty@township alert-2/7/township_duty@township alert-2/9/township_duty@township
            alert-2#13 @1860000 resolved by itself
            alert-3#20 @2160000 superseded alert-3/1/monitor@village alert-3/1/village_head@village alert-3/1/grid_worker@village alert-3/1/township_duty@township alert-3/1/county_duty@county alert-3/7/monitor@village alert-3/7/village_head@village alert-3/7/grid_worker@village alert-3/11/township_duty@township alert-3/13/county_duty@county alert-3/15/township_duty@township alert-3/17/county_duty@county
            alert-3#21 @2160000 resolved by 演练指挥 note slope inspected
            alert-1#37 @2400000 upgraded none->orange (raised) [rain-orange]
            alert-1#42 @2700000 reminded village
            alert-1#46 @2700000 reminded township
            alert-1#48 @3000000 escalated past village (monitor,village_head,grid_worker) to township
            alert-1#50 @3000000 escalated past township (township_duty) to county
            alert-1#52 @3300000 superseded alert-1/10/monitor@village alert-1/10/village_head@village alert-1/10/grid_worker@village alert-1/10/township_duty@township alert-1/10/county_duty@county alert-1/17/monitor@village alert-1/17/village_head@village alert-1/17/grid_worker@village alert-1/21/township_duty@township alert-1/23/county_duty@county alert-1/26/monitor@village alert-1/26/village_head@village alert-1/26/grid_worker@village alert-1/30/county_duty@county alert-1/32/township_duty@township alert-1/37/monitor@village alert-1/37/village_head@village alert-1/37/grid_worker@village alert-1/37/township_duty@township alert-1/42/monitor@village alert-1/42/village_head@village alert-1/42/grid_worker@village alert-1/46/township_duty@township alert-1/48/township_duty@township alert-1/50/county_duty@county
            alert-1#53 @3300000 resolved by 县值班员 王 note slope inspected
            """
        ))
    }
}
