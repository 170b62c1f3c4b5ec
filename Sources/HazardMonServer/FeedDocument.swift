// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A decoded POST body: the values it carries, in request order, and device status blocks.
///
/// Two shapes are accepted:
/// - HazardMon's own: `{"readings":[{"device":"..","channel":"..","ts":"RFC 3339","value":1.5}, ..]}`, where a
///   multi-field channel takes an object value (`{"X":1.2,"Y":-0.4,"Z":3.0}`);
/// - the China Geological Survey universal-device shape: `{"<deviceId>":{"L3_YL_1":{"<ts>":1.2}, ..}}`,
///   with the status block `S1_ZT_1` (`{"<ts>":{"battery_dump_energy":87, .., "sensor_state":{..}}}`).
public struct FeedDocument: Sendable {
    /// A value as posted: a number, named fields of a multi-field channel, or text (a number in a string,
    /// or a provincial comma list such as `"1.2,-0.4,3.0"`).
    public enum Value: Sendable, Hashable, Decodable {
        case number(Double)
        case fields([String: Double])
        case text(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let fields = try? container.decode([String: Double].self) {
                self = .fields(fields)
            } else if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "value must be a number, an object of numbers, or a string")
            }
        }
    }

    /// One posted value for one channel of one device.
    public struct Item: Sendable, Hashable {
        /// Position in the request: the index in `readings`, or the running count in a CGS document.
        public var index: Int
        public var device: String
        public var channel: String
        public var ts: String
        public var value: Value
    }

    /// A device status block (`S1_ZT_1`).
    public struct Status: Sendable, Hashable {
        public var index: Int
        public var device: String
        /// The block's time stamp, or nil when it had none (the receive time is used).
        public var ts: String?
        public var batteryPercent: Double?
        public var supplyVolt: Double?
        public var solarVolt: Double?
        public var temperature: Double?
        public var humidity: Double?
        public var signal: Double?
        public var firmware: String?
        public var sensorState: [String: Int]
    }

    public var items: [Item] = []
    public var statuses: [Status] = []

    /// Decodes a body of either shape.
    /// - Throws: ``FeedError/malformed(_:)`` naming the position of the problem.
    public static func decode(_ body: Data) throws(FeedError) -> FeedDocument {
        // The common shape is parsed once, straight into structs; only other bodies go through
        // JSONSerialization (which also gives the error for a body that is not JSON at all).
        if Self.startsWithReadingsKey(body) {
            return try Self.decodeStandard(body)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            throw .malformed("body is not valid JSON: \(Self.describe(error))")
        }
        guard let top = object as? [String: Any] else {
            throw .malformed("body must be a JSON object: {\"readings\":[…]} or {\"<deviceId>\":{…}}")
        }
        if top["readings"] != nil {
            return try Self.decodeStandard(body)
        }
        return try Self.decodeCGS(top)
    }

    /// Whether the body is an object whose first key is `readings` (white space allowed).
    static func startsWithReadingsKey(_ body: Data) -> Bool {
        var index = body.startIndex
        func skipSpace() {
            while index < body.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 }
        }
        skipSpace()
        guard index < body.endIndex, body[index] == UInt8(ascii: "{") else { return false }
        index += 1
        skipSpace()
        let key = Array("\"readings\"".utf8)
        return body[index...].starts(with: key)
    }

    private struct StandardBody: Decodable {
        struct Reading: Decodable {
            var device: String
            var channel: String
            var ts: String
            var value: Value
        }

        var readings: [Reading]
    }

    private static func decodeStandard(_ body: Data) throws(FeedError) -> FeedDocument {
        let decoded: StandardBody
        do {
            decoded = try JSONDecoder().decode(StandardBody.self, from: body)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            // JSONDecoder does not say where the syntax breaks; JSONSerialization does ("around character 17").
            do {
                _ = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
                throw FeedError.malformed("body is not valid JSON: \(context.debugDescription)")
            } catch let error as FeedError {
                throw error
            } catch {
                throw .malformed("body is not valid JSON: \(Self.describe(error))")
            }
        } catch let error as DecodingError {
            throw .malformed(Self.describe(error))
        } catch {
            throw .malformed("body is not valid JSON: \(Self.describe(error))")
        }
        var document = FeedDocument()
        document.items.reserveCapacity(decoded.readings.count)
        for (index, reading) in decoded.readings.enumerated() {
            document.items.append(
                Item(index: index, device: reading.device, channel: reading.channel, ts: reading.ts, value: reading.value))
        }
        return document
    }

    static let statusBlock = "S1_ZT_1"

    private static func decodeCGS(_ top: [String: Any]) throws(FeedError) -> FeedDocument {
        var document = FeedDocument()
        var index = 0
        for device in top.keys.sorted() {
            guard let fields = top[device] as? [String: Any] else {
                throw .malformed("\(device): expected an object of field codes, e.g. {\"L3_YL_1\":{\"<ts>\":1.2}}")
            }
            for field in fields.keys.sorted() {
                let entry = fields[field]
                if field == Self.statusBlock {
                    guard let block = entry as? [String: Any] else {
                        throw .malformed("\(device).\(field): expected an object")
                    }
                    // Either {"<ts>": {fields}} or the fields directly.
                    let stamped = block.allSatisfy { $0.value is [String: Any] && $0.key != "sensor_state" }
                    if stamped && !block.isEmpty {
                        for ts in block.keys.sorted() {
                            document.statuses.append(Self.status(block[ts] as? [String: Any] ?? [:], device: device, ts: ts, index: index))
                            index += 1
                        }
                    } else {
                        document.statuses.append(Self.status(block, device: device, ts: nil, index: index))
                        index += 1
                    }
                    continue
                }
                guard let series = entry as? [String: Any] else {
                    throw .malformed("\(device).\(field): expected an object of time stamps, e.g. {\"2020-07-20T08:00:00.000Z\":1.2}")
                }
                for ts in series.keys.sorted() {
                    let value: Value
                    switch series[ts] {
                    case let number as NSNumber where !Self.isBoolean(number):
                        value = .number(number.doubleValue)
                    case let text as String:
                        value = .text(text)
                    case let object as [String: Any]:
                        var numbers: [String: Double] = [:]
                        for (name, raw) in object {
                            guard let number = raw as? NSNumber, !Self.isBoolean(number) else {
                                throw .malformed("\(device).\(field).\(ts).\(name): expected a number")
                            }
                            numbers[name] = number.doubleValue
                        }
                        value = .fields(numbers)
                    default:
                        throw .malformed("\(device).\(field).\(ts): value must be a number, an object of numbers, or a string")
                    }
                    document.items.append(Item(index: index, device: device, channel: field, ts: ts, value: value))
                    index += 1
                }
            }
        }
        return document
    }

    /// JSON `true`/`false` arrive as NSNumber too (a boolean subclass); they are not readings.
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(describing: type(of: number)).contains("Boolean")
    }

    private static func status(_ block: [String: Any], device: String, ts: String?, index: Int) -> Status {
        func number(_ key: String) -> Double? { (block[key] as? NSNumber)?.doubleValue ?? (block[key] as? String).flatMap(Double.init) }
        var state: [String: Int] = [:]
        for (channel, code) in (block["sensor_state"] as? [String: Any]) ?? [:] {
            if let code = (code as? NSNumber)?.intValue ?? (code as? String).flatMap(Int.init) { state[channel] = code }
        }
        return Status(
            index: index, device: device, ts: ts, batteryPercent: number("battery_dump_energy"),
            supplyVolt: number("ext_power_volt"), solarVolt: number("solar_volt"), temperature: number("temp"),
            humidity: number("humidity"), signal: number("signal_4g") ?? number("signal_NB") ?? number("signal_bd"),
            firmware: block["sw_version"] as? String, sensorState: state
        )
    }

    /// A decoding error as a position and a reason, e.g. `readings[3].ts: required key is missing`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required key is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError {
                return "body is not valid JSON: \(Self.describe(underlying))"
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Foundation's JSON error text, which names the line and column.
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
    }
}

/// Why a request's body cannot be used at all (answered 400).
public enum FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let reason): return reason
        }
    }
}
