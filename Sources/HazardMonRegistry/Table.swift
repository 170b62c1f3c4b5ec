// SPDX-License-Identifier: Apache-2.0
import CSV
import Foundation

/// One record of a register file, read by canonical column name, with where it came from.
///
/// Cells are kept in column order against a header shared by all rows of a file, so reading a
/// 100,000-row file builds no dictionary per row.
struct TableRow {
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

    var location: RegistryIssue.Location
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
    subscript(column: String) -> String? {
        guard let index = self.header.positions[column], index < self.cells.count else { return nil }
        return self.cells[index]
    }
}

/// A register file's columns: canonical names, their Chinese aliases, and which are required.
struct TableSchema {
    struct Column {
        var name: String
        var aliases: [String]
        var required: Bool
    }

    var columns: [Column]

    init(_ columns: [Column]) {
        self.columns = columns
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
    static func required(_ name: String, _ aliases: String...) -> Self {
        Self(name: name, aliases: aliases, required: true)
    }

    static func optional(_ name: String, _ aliases: String...) -> Self {
        Self(name: name, aliases: aliases, required: false)
    }
}

/// Parses CSV text with the CSV library into rows keyed by canonical column name.
///
/// Physical line numbers are kept (a quoted field may span lines) so errors point at the line a user
/// sees in an editor. Header problems (unknown, duplicate or missing required columns) are logged and
/// yield no rows; a row with more cells than the header is logged and skipped; blank rows are skipped.
func parseCSV(_ text: String, file: String, schema: TableSchema, issues: inout IssueLog) -> [TableRow] {
    let reader: CSVReader
    do {
        reader = try CSVReader(string: text, hasHeaderRow: false)
    } catch {
        issues.add(file, .file, nil, "cannot parse as CSV: \(error)")
        return []
    }
    guard let header = reader.next() else {
        issues.add(file, .file, nil, "the file is empty; a header row is required")
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
            issues.add(file, .line(1), trimmed, "unknown column (see sites/README.md for the columns of this file)")
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
    var line = 1 + lineBreaks(in: header)
    guard headerOK else { return [] }
    let shared = TableRow.Header(names)

    var rows: [TableRow] = []
    while let cells = reader.next() {
        let rowLine = line + 1
        line = rowLine + lineBreaks(in: cells)
        if cells.allSatisfy({ $0.isBlank }) { continue }
        if cells.count > names.count,
            cells[names.count...].contains(where: { !$0.isBlank })
        {
            issues.add(file, .line(rowLine), nil, "row has \(cells.count) cells but the header has \(names.count)")
            continue
        }
        var values = [String?](repeating: nil, count: names.count)
        for (index, cell) in cells.enumerated() where index < names.count && names[index] != nil {
            let value = cell.trimmed
            if !value.isEmpty { values[index] = value }
        }
        rows.append(TableRow(location: .line(rowLine), header: shared, cells: values))
    }
    if let error = reader.error {
        issues.add(file, .line(line), nil, "cannot parse as CSV: \(error)")
    }
    return rows
}

/// Line breaks inside the cells of one record (a `\r\n` counts once).
private func lineBreaks(in cells: [String]) -> Int {
    var count = 0
    for cell in cells {
        for scalar in cell.unicodeScalars where scalar == "\n" { count += 1 }
    }
    return count
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
