// SPDX-License-Identifier: Apache-2.0

/// Appends JSON text, for the few documents written on hot paths (stored sites, feed responses), where
/// `JSONEncoder` was the largest cost. Keys are written in the order given; callers give them sorted when
/// the text must match `JSONEncoder`'s `.sortedKeys`.
public struct JSONTextWriter {
    /// The text so far.
    public private(set) var text = ""
    /// Set when a non-finite number was written (as `null`); such text is not what the caller meant.
    public private(set) var failed = false
    private var needsComma = false

    public init(capacity: Int = 1024) {
        self.text.reserveCapacity(capacity)
    }

    public mutating func object(_ body: (inout JSONTextWriter) -> Void) {
        self.text.append("{")
        self.needsComma = false
        body(&self)
        self.text.append("}")
        self.needsComma = true
    }

    public mutating func array<Element>(_ elements: [Element], _ write: (inout JSONTextWriter, Element) -> Void) {
        self.text.append("[")
        self.needsComma = false
        for element in elements {
            if self.needsComma { self.text.append(",") }
            write(&self, element)
            self.needsComma = true
        }
        self.text.append("]")
        self.needsComma = true
    }

    /// A key (written as given: callers pass plain ASCII names) and its value.
    public mutating func key(_ name: String, _ value: (inout JSONTextWriter) -> Void) {
        if self.needsComma { self.text.append(",") }
        self.text.append("\"")
        self.text.append(name)
        self.text.append("\":")
        self.needsComma = false
        value(&self)
        self.needsComma = true
    }

    /// A key whose value is optional: left out when nil, as synthesized `encodeIfPresent` does.
    public mutating func key<Value>(_ name: String, _ value: Value?, _ write: (inout JSONTextWriter, Value) -> Void) {
        guard let value else { return }
        self.key(name) { write(&$0, value) }
    }

    public mutating func string(_ value: String) {
        self.text.append("\"")
        // Almost every string needs no escaping: append it whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            self.text.append(value)
            self.text.append("\"")
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": self.text.append("\\\"")
            case "\\": self.text.append("\\\\")
            case "\n": self.text.append("\\n")
            case "\r": self.text.append("\\r")
            case "\t": self.text.append("\\t")
            case "\u{08}": self.text.append("\\b")
            case "\u{0C}": self.text.append("\\f")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                self.text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: self.text.unicodeScalars.append(scalar)
            }
        }
        self.text.append("\"")
    }

    public mutating func number(_ value: Double) {
        guard value.isFinite else {
            self.failed = true
            self.text.append("null")
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            self.text.append(String(Int64(value)))
        } else {
            self.text.append(value.description)
        }
    }

    public mutating func integer(_ value: Int) {
        self.text.append(String(value))
    }

    public mutating func integer(_ value: Int64) {
        self.text.append(String(value))
    }

    public mutating func bool(_ value: Bool) {
        self.text.append(value ? "true" : "false")
    }

    public mutating func null() {
        self.text.append("null")
    }
}
