// SPDX-License-Identifier: Apache-2.0
import Foundation
import HazardMonServer
import HazardMonStore
import Testing

@Suite("POST /v1/readings against a real daemon")
struct FeedTests {
    @Test("accepted readings are committed before the 200, and can be read back")
    func accepted() async throws {
        let now = stamp(-60)
        try await withDaemon { client, folder in
            let reply = try await client.post([
                ("10000001", "L3_YL_1", now, 1.5),
                ("10000002", "L1_LF_1", now, 12.25),
                ("10000003", "L3_DB_1", now, 2.75),
            ])
            #expect(reply.status == 200)
            #expect(reply.statuses == ["accepted", "accepted", "accepted"])
            #expect(reply.count("accepted") == 3 && reply.count("rejected") == 0)
            // Committed: another connection sees them at once.
            let count = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.readingCount()
            }
            #expect(count == 3)
        }
    }

    /// (what is wrong, the value posted, the expected reason's start)
    static var rejections: [(String, (String, String, String, Any), String)] {
        [
        ("unknown device", ("99999999", "L3_YL_1", stamp(-60), 1.0), "unknown device 99999999"),
        ("unknown channel", ("10000001", "L3_YL_9", stamp(-60), 1.0), "unknown channel L3_YL_9 on device 10000001"),
        ("above the valid range", ("10000001", "L3_YL_1", stamp(-60), 300.5), "value 300.5 is outside the channel's valid range 0...300 mm"),
        ("below the valid range", ("10000003", "L3_DB_1", stamp(-60), -0.1), "value -0.1 is outside the channel's valid range 0...30 m"),
        ("NaN as text", ("10000001", "L3_YL_1", stamp(-60), "NaN"), "value is not a finite number"),
        ("Infinity as text", ("10000001", "L3_YL_1", stamp(-60), "Infinity"), "value is not a finite number"),
        ("not a number", ("10000001", "L3_YL_1", stamp(-60), "heavy"), "value 'heavy' is not a number"),
        ("time stamp not RFC 3339", ("10000001", "L3_YL_1", "2026/11/29 08:00", 1.0), "ts '2026/11/29 08:00' is not an RFC 3339"),
        ("more than 5 minutes in the future", ("10000001", "L3_YL_1", stamp(400), 1.0), "ts "),
        ("older than retention", ("10000001", "L3_YL_1", stamp(-401 * 86_400), 1.0), "ts "),
        ]
    }

    @Test("each bad reading is rejected with its reason and index; the good one beside it is stored",
          arguments: Self.rejections.map { $0.0 })
    func rejected(_ name: String) async throws {
        let (_, reading, reason) = try #require(Self.rejections.first { $0.0 == name })
        try await withDaemon { client, _ in
            let reply = try await client.post([("10000002", "L1_LF_1", stamp(-30), 5.0), reading])
            #expect(reply.status == 200)
            #expect(reply.statuses == ["accepted", "rejected"])
            let results = reply.json["results"] as? [[String: Any]] ?? []
            #expect(results.last?["index"] as? Int == 1)
            #expect(reply.reasons.last?.hasPrefix(reason) == true, "got \(reply.reasons)")
            if name.contains("future") { #expect(reply.reasons.last?.contains("in the future (tolerance 300 s)") == true) }
            if name.contains("retention") { #expect(reply.reasons.last?.contains("older than the retention of 400 days") == true) }
        }
    }

    @Test("the same (channel, ts) again: same value is a duplicate, another value a conflict, and the first stays")
    func idempotent() async throws {
        let ts = stamp(-120)
        try await withDaemon { client, folder in
            #expect(try await client.post([("10000001", "L3_YL_1", ts, 2.5)]).statuses == ["accepted"])
            let again = try await client.post([("10000001", "L3_YL_1", ts, 2.5), ("10000001", "L3_YL_1", ts, 3.0)])
            #expect(again.statuses == ["duplicate", "conflict"])
            #expect(again.reasons.last == "already stored with value 2.5; the first value stays")
            let stored = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.readingCount()
            }
            #expect(stored == 1)
        }
    }

    @Test("multi-field values go to the device's axis channels; fields without a channel are ignored")
    func multiField() async throws {
        let ts = stamp(-10)
        try await withDaemon { client, _ in
            let gnss = try await client.post(raw: """
                {"readings":[{"device":"10000004","channel":"L1_GP_1","ts":"\(ts)","value":{"gpsTotalX":1.5,"gpsTotalY":-2,"gpsTotalZ":0.25}},
                             {"device":"10000005","channel":"L1_QJ_1","ts":"\(ts)","value":"0.5,-0.25,89.0,12.5,181"}]}
                """)
            #expect(gnss.status == 200)
            let results = gnss.json["results"] as? [[String: Any]] ?? []
            let summary = results.map { "\($0["channel"] ?? "")=\($0["status"] ?? "")" }
            #expect(summary == [
                "L1_GP_X=accepted", "L1_GP_Y=accepted", "L1_GP_Z=accepted",
                "L1_QJ_AZI=ignored", "L1_QJ_X=accepted", "L1_QJ_Y=accepted", "L1_QJ_Z=ignored", "L1_QJ_angle=ignored",
            ])
        }
    }

    @Test("the China Geological Survey device shape, with its status block recorded as device health")
    func cgsShape() async throws {
        let ts1 = stamp(-600)
        let ts2 = stamp(-300)
        try await withDaemon { client, folder in
            let reply = try await client.post(raw: """
                {"10000001":{"L3_YL_1":{"\(ts1)":0.5,"\(ts2)":1.0},
                             "S1_ZT_1":{"\(ts2)":{"ext_power_volt":12.1,"solar_volt":18.5,"battery_dump_energy":87,
                                                 "temp":21.5,"humidity":80,"signal_4g":-71,"sw_version":"1.2.3",
                                                 "sensor_state":{"L3_YL_1":0,"L3_HS_1":-3}}}}}
                """)
            #expect(reply.status == 200)
            #expect(reply.count("accepted") == 3, "\(reply.text)")
            let health = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.latestHealth(deviceID: "10000001")
            }
            let row = try #require(health)
            #expect(row.batteryPercent == 87)
            #expect(row.supplyVolt == 12.1)
            #expect(row.firmware == "1.2.3")
            #expect(row.sensorState == ["L3_YL_1": 0, "L3_HS_1": -3])
            let metrics = try await client.metrics().text
            #expect(metrics.contains("hazardmon_device_battery_percent{device=\"10000001\"} 87.0"))
            #expect(metrics.contains("hazardmon_device_supply_volts{device=\"10000001\"} 12.1"))
            #expect(metrics.contains("hazardmon_device_sensor_faults{device=\"10000001\"} 1.0"))
        }
    }

    @Test("malformed bodies are 400 and name the position", arguments: [
        ("{\"readings\":[{\"device\":\"10000001\",\"channel\":\"L3_YL_1\",\"value\":1}]}", "readings[0].ts: required key is missing"),
        ("{\"readings\":[{\"device\":\"10000001\",\"channel\":\"L3_YL_1\",\"ts\":\"x\",\"value\":true}]}", "readings[0].value"),
        ("{\"readings\":[{\"device\":\"10000001\",", "body is not valid JSON: Unexpected end of file during JSON parse."),
        ("{\"readings\":[1,2,}", "body is not valid JSON: Invalid value around character 17."),
        ("{\"1000\":{\"L3_YL_1\":{\"x\":1 \"y\":2}}}", "body is not valid JSON: "),
        ("[1,2,3]", "body must be a JSON object"),
        ("{\"10000001\":{\"L3_YL_1\":5}}", "10000001.L3_YL_1: expected an object of time stamps"),
    ])
    func malformed(body: String, error: String) async throws {
        try await withDaemon { client, _ in
            let reply = try await client.post(raw: body)
            #expect(reply.status == 400)
            let message = reply.json["error"] as? String ?? ""
            #expect(message.hasPrefix(error), "got \(message)")
        }
    }

    @Test("a body over the limit is 413")
    func tooLarge() async throws {
        try await withDaemon(configure: { $0.bodyLimitBytes = 2048 }) { client, _ in
            let readings = (0..<100).map { ("10000001", "L3_YL_1", stamp(Double(-60 * $0 - 60)), 1.0 as Any) }
            let reply = try await client.post(readings)
            #expect(reply.status == 413)
            #expect((reply.json["error"] as? String)?.contains("over the limit of 2048 bytes") == true)
        }
    }

    @Test("no token or an unknown one is 401; a device outside the token's grant is 403 and nothing is stored")
    func auth() async throws {
        let reading = [("10000001", "L3_YL_1", stamp(-60), 1.0 as Any)]
        try await withDaemon { client, folder in
            let none = try await client.post(reading, token: nil)
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"] == "Bearer")
            #expect(try await client.post(reading, token: "guessed-token").status == 401)
            // The scheme is case-insensitive.
            let lower = try await client.request(
                "POST", "/v1/readings", body: try JSONSerialization.data(withJSONObject: ["readings": []]),
                headers: ["Authorization": "bearer \(TestRegister.countyToken)"])
            #expect(lower.status == 200)
            let forbidden = try await client.post(
                [("10000003", "L3_DB_1", stamp(-60), 1.0), ("10000001", "L3_YL_1", stamp(-60), 1.0)], token: TestRegister.floodToken)
            #expect(forbidden.status == 403)
            // Neither the token's name nor the device ids: a token holder must not learn which devices exist.
            #expect(forbidden.json["error"] as? String == "this token may not write some device of the request; nothing was stored")
            #expect(!forbidden.text.contains("10000001") && !forbidden.text.contains("flood"))
            let allowed = try await client.post([("10000003", "L3_DB_1", stamp(-60), 1.0)], token: TestRegister.floodToken)
            #expect(allowed.statuses == ["accepted"])
            let stored = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.readingCount()
            }
            #expect(stored == 1)
        }
    }

    @Test("a full queue answers 503 with Retry-After and stores nothing of that request")
    func queueFull() async throws {
        try await withDaemon(configure: {
            $0.queueBound = 3
            $0.tickIntervalMilliseconds = 1500
        }) { client, folder in
            // The first request fills the queue and waits for the slow tick; the second does not fit.
            async let first = client.post((0..<3).map { ("10000001", "L3_YL_1", stamp(Double(-60 * $0 - 60)), 1.0 as Any) })
            try await Task.sleep(for: .milliseconds(300))
            let second = try await client.post([("10000002", "L1_LF_1", stamp(-60), 1.0)])
            #expect(second.status == 503)
            #expect(second.headers["retry-after"] == "1")
            #expect(try await first.statuses == ["accepted", "accepted", "accepted"])
            let stored = try await withStore(StorageConfiguration(path: folder.appendingPathComponent("hazardmon.sqlite").path)) {
                try await $0.readingCount()
            }
            #expect(stored == 3)
        }
    }

    @Test("health, readiness and Prometheus metrics")
    func operations() async throws {
        try await withDaemon { client, _ in
            #expect(try await client.request("GET", "/healthz").status == 200)
            let ready = try await client.request("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["channels"] as? String == "9")
            _ = try await client.post([("10000001", "L3_YL_1", stamp(-60), 1.0), ("10000001", "L3_YL_1", stamp(900), 1.0)])
            let metrics = try await client.metrics()
            #expect(metrics.status == 200)
            // Only on the metrics listener: the feed port does not tell who can reach it about sites and devices.
            #expect(try await client.request("GET", "/metrics").status == 404)
            let text = metrics.text
            #expect(text.contains("hazardmon_readings_total{result=\"accepted\"} 1"))
            #expect(text.contains("hazardmon_readings_total{result=\"rejected\"} 1"))
            #expect(text.contains("hazardmon_readings_rejected_total{reason=\"future\"} 1"))
            #expect(text.contains("hazardmon_ingest_batch_size_count 1"))
            #expect(text.contains("hazardmon_ingest_commit_seconds_bucket"))
            #expect(text.contains("hazardmon_device_last_seen_age_seconds{device=\"10000001\"}"))
            #expect(text.contains("hazardmon_requests_total{status=\"200\"} 1"))
        }
    }
}

@Suite("Ingest loop timing")
struct IngestTimingTests {
    @Test("a submission that fills the flush threshold is committed without waiting for the tick")
    func flushBeforeTick() async throws {
        try await withDaemon(configure: {
            $0.tickIntervalMilliseconds = 10_000
            $0.flushReadings = 2
        }) { client, _ in
            let started = ContinuousClock.now
            let reply = try await client.post([("10000001", "L3_YL_1", stamp(-120), 1.0), ("10000001", "L3_YL_1", stamp(-60), 2.0)])
            #expect(reply.statuses == ["accepted", "accepted"])
            #expect(ContinuousClock.now - started < .seconds(5), "answered long before the 10 s tick")
        }
    }
}
