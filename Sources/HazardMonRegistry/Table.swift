// SPDX-License-Identifier: Apache-2.0
import Foundation

/// One record of a register file, read by canonical column name, with where it came from.
///
/// Cells are kept in column order against a header shared by all rows of a file, so reading a
/// 100,000-row file builds no dictionary per row.
package struct TableRow {
    /// Canonical column names to cell positions, one per file.
    final class Header {
        let positions: [String: Int]

        init(_ names: [String?]) {
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() {
                if let name { positions[name] = index }
            }
            self.positions = positions
        }
    }

    package var location: RegistryIssue.Location
    let header: Header
    /// Trimmed cells in column order; nil for an empty cell.
    var cells: [String?]

    init(location: RegistryIssue.Location, header: Header, cells: [String?]) {
        self.location = location
        self.header = header
        self.cells = cells
    }

    /// A row from name/value pairs (GeoJSON properties); empty values are left out.
    init(location: RegistryIssue.Location, values: [String: String]) {
        let names = Array(values.keys)
        self.init(location: location, header: Header(names), cells: names.map { values[$0] })
    }

    /// The non-empty value of a column, or nil.
    package subscript(column: String) -> String? {
        guard let index = self.header.positions[column], index < self.cells.count else { return nil }
        return self.cells[index]
    }
}

/// A register file's columns: canonical names, their Chinese aliases, and which are required.
package struct TableSchema {
    package struct Column {
        var name: String
        var aliases: [String]
        var required: Bool
    }

    var columns: [Column]
    /// The README that documents these columns, named when a header has an unknown column.
    var readme: String

    package init(_ columns: [Column], readme: String = "sites/README.md") {
        self.columns = columns
        self.readme = readme
    }

    /// Maps a header cell to its canonical column name (case- and space-insensitive, aliases accepted).
    func canonicalName(of header: String) -> String? {
        let key = header.trimmed.lowercased()
        for column in self.columns where column.name == key || column.aliases.contains(where: { $0.lowercased() == key }) {
            return column.name
        }
        return nil
    }
}

extension TableSchema.Column {
    package static func required(_ name: String, _ aliases: String...) -> Self {
        Self(name: name, aliases: aliases, required: true)
    }

    package static func optional(_ name: String, _ aliases: String...) -> Self {
        Self(name: name, aliases: aliases, required: false)
    }
}

/// Parses CSV text into rows keyed by canonical column name.
///
/// Physical line numbers are kept (a quoted field may span lines) so errors point at the line a user
/// sees in an editor. Header problems (unknown, duplicate or missing required columns) are logged and
/// yield no rows; a row with more or fewer cells than the header, and a row with a stray quote, is logged
/// and skipped; blank rows are skipped.
package func parseCSV(_ text: String, file: String, schema: TableSchema, issues: inout IssueLog) -> [TableRow] {
    var rejected: [TableRow] = []
    return parseCSV(text, file: file, schema: schema, issues: &issues, rejected: &rejected)
}

/// ``parseCSV(_:file:schema:issues:)``, also handing back the rows it rejected as a whole (wrong cell
/// count, stray quote) with the cells that could be read, so that a site row rejected here still names
/// its code and the devices on it are not reported a second time.
func parseCSV(
    _ text: String, file: String, schema: TableSchema, issues: inout IssueLog, rejected: inout [TableRow]
) -> [TableRow] {
    var records = CSVRecords(text)
    guard let first = records.next() else {
        issues.add(file, .file, nil, "the file is empty; a header row is required")
        return []
    }
    guard case .record(_, let header) = first else {
        if case .problem(let line, let reason, _) = first { issues.add(file, .line(line), nil, reason) }
        return []
    }
    var headerOK = true
    var names: [String?] = []
    var seen: Set<String> = []
    for cell in header {
        let trimmed = cell.trimmed
        if trimmed.isEmpty {
            names.append(nil)
            continue
        }
        guard let name = schema.canonicalName(of: trimmed) else {
            issues.add(file, .line(1), trimmed, "unknown column (see \(schema.readme) for the columns of this file)")
            headerOK = false
            names.append(nil)
            continue
        }
        if !seen.insert(name).inserted {
            issues.add(file, .line(1), trimmed, "column appears twice")
            headerOK = false
        }
        names.append(name)
    }
    for column in schema.columns where column.required && !seen.contains(column.name) {
        issues.add(file, .line(1), column.name, "required column is missing")
        headerOK = false
    }
    guard headerOK else { return [] }
    let shared = TableRow.Header(names)
    // Cells past the last named column may be missing (a header ending in empty cells).
    let needed = (names.lastIndex { $0 != nil } ?? -1) + 1

    func row(_ line: Int, _ cells: [String]) -> TableRow {
        var values = [String?](repeating: nil, count: names.count)
        for (index, cell) in cells.enumerated() where index < names.count && names[index] != nil {
            let value = cell.trimmed
            if !value.isEmpty { values[index] = value }
        }
        return TableRow(location: .line(line), header: shared, cells: values)
    }
    var rows: [TableRow] = []
    while let record = records.next() {
        switch record {
        case .problem(let line, let reason, let cells):
            issues.add(file, .line(line), nil, reason)
            rejected.append(row(line, cells))
        case .record(let line, let cells):
            if cells.allSatisfy({ $0.isBlank }) { continue }
            let tooMany = cells.count > names.count && cells[names.count...].contains { !$0.isBlank }
            if tooMany || cells.count < needed {
                issues.add(file, .line(line), nil, "row has \(cells.count) cells, the header has \(names.count)")
                rejected.append(row(line, cells))
                continue
            }
            rows.append(row(line, cells))
        }
    }
    return rows
}

/// Splits CSV text (RFC 4180: comma-separated, `"`-quoted fields, `""` for a quote inside one) into
/// records with the physical line each starts on.
///
/// Unlike a lenient reader it names quoting mistakes instead of guessing: text after a field's closing
/// quote (`"abc"def`, which a lenient reader runs on into the following cells and lines), and a quoted field
/// that is never closed (which would swallow every later line into one cell). After a mistake reading
/// resumes on the next line. A quote inside an unquoted field is kept as written, as Excel does
/// (`29°58'12"` is a latitude in degrees, minutes and seconds).
struct CSVRecords: IteratorProtocol {
    enum Record {
        /// A record: the line it starts on and its cells, untrimmed.
        case record(line: Int, cells: [String])
        /// A record that could not be read: the line of the mistake, the reason, the cells read before it.
        case problem(line: Int, reason: String, cells: [String])
    }

    private let scalars: String.UnicodeScalarView
    private var index: String.UnicodeScalarView.Index
    private var line = 1

    init(_ text: String) {
        self.scalars = text.unicodeScalars
        self.index = self.scalars.startIndex
    }

    private var current: Unicode.Scalar? {
        self.index < self.scalars.endIndex ? self.scalars[self.index] : nil
    }

    private mutating func advance() {
        self.scalars.formIndex(after: &self.index)
    }

    /// Consumes a line end (`\n`, `\r\n` or `\r`) at the current position.
    private mutating func consumeLineEnd() {
        if self.current == "\r" {
            self.advance()
            if self.current == "\n" { self.advance() }
        } else if self.current == "\n" {
            self.advance()
        }
        self.line += 1
    }

    /// Skips the rest of the physical line after a mistake.
    private mutating func skipLine() {
        while let scalar = self.current, scalar != "\n", scalar != "\r" { self.advance() }
        if self.current != nil { self.consumeLineEnd() }
    }

    mutating func next() -> Record? {
        guard self.current != nil else { return nil }
        let start = self.line
        var cells: [String] = []
        while true {
            let fieldNumber = cells.count + 1
            var probe = self.index
            while probe < self.scalars.endIndex, self.scalars[probe] == " " || self.scalars[probe] == "\t" {
                self.scalars.formIndex(after: &probe)
            }
            if probe < self.scalars.endIndex, self.scalars[probe] == "\"" {
                // Quoted field.
                let opened = self.line
                self.index = self.scalars.index(after: probe)
                var field = String.UnicodeScalarView()
                var closed = false
                while let scalar = self.current {
                    self.advance()
                    if scalar == "\"" {
                        if self.current == "\"" {
                            field.append("\"")
                            self.advance()
                            continue
                        }
                        closed = true
                        break
                    }
                    if scalar == "\n" || (scalar == "\r" && self.current != "\n") { self.line += 1 }
                    field.append(scalar)
                }
                guard closed else {
                    return .problem(
                        line: opened, reason: "the quote opening field \(fieldNumber) is never closed", cells: cells
                    )
                }
                cells.append(String(field))
                while self.current == " " || self.current == "\t" { self.advance() }
                switch self.current {
                case nil:
                    return .record(line: start, cells: cells)
                case ",":
                    self.advance()
                    if self.current == nil {
                        cells.append("")
                        return .record(line: start, cells: cells)
                    }
                case "\n", "\r":
                    self.consumeLineEnd()
                    return .record(line: start, cells: cells)
                default:
                    let line = self.line
                    cells.removeLast()
                    self.skipLine()
                    if line != opened {
                        // The field ran over line ends to a quote that was not meant to close it.
                        return .problem(
                            line: opened,
                            reason: "the quote opening field \(fieldNumber) is closed only on line \(line), where text "
                                + "follows it; a closing quote is probably missing",
                            cells: cells
                        )
                    }
                    return .problem(
                        line: line,
                        reason: "stray quote in field \(fieldNumber): text follows its closing quote "
                            + "(inside a quoted field write a quote as \"\")",
                        cells: cells
                    )
                }
            } else {
                // Unquoted field: up to the next comma or line end. A quote inside it is taken as written, as
                // Excel does: registers write seconds of arc that way (29°58'12").
                let fieldStart = self.index
                while let scalar = self.current, scalar != ",", scalar != "\n", scalar != "\r" {
                    self.advance()
                }
                cells.append(String(self.scalars[fieldStart..<self.index]))
                switch self.current {
                case nil:
                    return .record(line: start, cells: cells)
                case ",":
                    self.advance()
                    if self.current == nil {
                        cells.append("")
                        return .record(line: start, cells: cells)
                    }
                default:
                    self.consumeLineEnd()
                    return .record(line: start, cells: cells)
                }
            }
        }
    }
}

extension String {
    /// The text without leading and trailing white space and line breaks.
    ///
    /// Foundation's `trimmingCharacters(in:)` bridges through NSString on Linux and was a fifth of a
    /// 100,000-row import; this stays in Swift and returns `self` untouched when there is nothing to trim.
    var trimmed: String {
        let scalars = self.unicodeScalars
        if let first = scalars.first, let last = scalars.last, !first.isSpace, !last.isSpace {
            return self
        }
        guard let first = scalars.firstIndex(where: { !$0.isSpace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isSpace }) ?? first
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    /// Whether the text is empty or only white space.
    var isBlank: Bool {
        self.unicodeScalars.allSatisfy(\.isSpace)
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space, spelled out: the property lookup was a measurable part of an import.
    var isSpace: Bool {
        switch self.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
