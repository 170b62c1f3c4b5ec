// SPDX-License-Identifier: Apache-2.0
import CSV
import Foundation

/// One record of a register file, keyed by canonical column name, with where it came from.
struct TableRow {
    var location: RegistryIssue.Location
    /// Non-empty values only, trimmed, keyed by canonical column name.
    var values: [String: String]

    subscript(column: String) -> String? { self.values[column] }
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
        let key = header.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
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
        let trimmed = cell.trimmingCharacters(in: .whitespacesAndNewlines)
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

    var rows: [TableRow] = []
    while let cells = reader.next() {
        let rowLine = line + 1
        line = rowLine + lineBreaks(in: cells)
        if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
        if cells.count > names.count,
            cells[names.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        {
            issues.add(file, .line(rowLine), nil, "row has \(cells.count) cells but the header has \(names.count)")
            continue
        }
        var values: [String: String] = [:]
        for (index, cell) in cells.enumerated() where index < names.count {
            guard let name = names[index] else { continue }
            let value = cell.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { values[name] = value }
        }
        rows.append(TableRow(location: .line(rowLine), values: values))
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
