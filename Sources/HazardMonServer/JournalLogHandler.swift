// SPDX-License-Identifier: Apache-2.0
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif
// Debug builds on Linux can attribute stat to CDispatch's copy of <sys/stat.h> (MemberImportVisibility).
#if canImport(CDispatch)
import CDispatch
#endif

/// swift-log to stderr, one line per event, with sd-daemon(3) priority prefixes under the systemd journal.
///
/// ```swift
/// LoggingSystem.bootstrap { label in JournalLogHandler(label: label, level: .info) }
/// ```
///
/// - **Journal** (``Style/journal``): stderr is the journal's stream socket. Each line starts with the
///   syslog priority, `<3>` for error … `<7>` for debug, so `journalctl -p warning` shows the daemon's
///   errors; the journal stamps the time itself, so the line carries none:
///   `<3>hazardmon: tokens file rejected; the previous tokens stay problems="tokens.yaml:3: …"`.
/// - **Plain** (``Style/plain``): a terminal, a pipe or a file. The line starts with the UTC time (it says
///   `Z`) and the level: `2026-12-02T02:12:00.123Z error hazardmon: …`.
///
/// In both styles an event is exactly one line: line breaks inside the message or a metadata value (a
/// register problem list, a YAML error quoting its source line) are written as `\n`, so one problem can
/// never spill over several journal entries or be mistaken for several events.
///
/// The journal is recognised as sd_journal_stream_fd(3) and systemd.exec(5) describe: `JOURNAL_STREAM`
/// holds `DEVICE:INODE` of the stream systemd connected, and it counts only when it matches `fstat` of
/// stderr (a child that inherited the variable but writes to a pipe gets plain lines).
public struct JournalLogHandler: LogHandler {
    /// How lines are written.
    public enum Style: Sendable, Equatable {
        /// `<N>label: message key=value`, for the systemd journal.
        case journal
        /// `TIME level label: message key=value`, for a terminal or a file; the time is UTC.
        case plain
    }

    /// The lowest level written.
    public var logLevel: Logger.Level
    /// Metadata added to every event of this handler's loggers.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task-local values) added to every event.
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label, written before the message.
    public let label: String
    /// The line format, fixed when the handler is made.
    public let style: Style

    /// - Parameters:
    ///   - label: The logger's label.
    ///   - level: The lowest level written.
    ///   - style: The line format; by default ``detectStyle(environment:descriptor:)`` on stderr.
    public init(label: String, level: Logger.Level = .info, style: Style = JournalLogHandler.detectStyle()) {
        self.label = label
        self.logLevel = level
        self.style = style
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Writes `event` as one line on stderr.
    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let line = Self.line(
            level: event.level, label: self.label, message: event.message.description, metadata: merged, style: self.style,
            time: Date())
        // One write(2) per event: lines of concurrent loggers never interleave inside a line.
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr is gone; there is nowhere left to report it
                }
            }
        }
    }

    /// The sd-daemon(3) priority of a level: `<7>` debug (and trace) … `<2>` critical.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// One event as one line, without the line break.
    ///
    /// Metadata follows the message as `key=value`, sorted by key; a value with spaces, quotes or `=` is
    /// quoted. Line breaks anywhere become the two characters `\n`.
    public static func line(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, style: Style, time: Date
    ) -> String {
        var text = ""
        switch style {
        case .journal:
            text = "<\(Self.priority(level))>\(label): "
        case .plain:
            text = "\(Self.utcTime(time)) \(level) \(label): "
        }
        text += Self.singleLine(message)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            text += " \(key)=\(Self.quoted(Self.singleLine("\(value)")))"
        }
        return text
    }

    /// Whether stderr (or `descriptor`) is the journal stream `JOURNAL_STREAM` names.
    public static func detectStyle(
        environment: [String: String] = ProcessInfo.processInfo.environment, descriptor: Int32 = STDERR_FILENO
    ) -> Style {
        guard let stream = environment["JOURNAL_STREAM"] else { return .plain }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .plain }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .plain }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .plain
    }

    /// `DEVICE:INODE` of a descriptor, as systemd writes `JOURNAL_STREAM` (for tests and tools).
    public static func streamIdentity(of descriptor: Int32) -> String? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return "\(UInt64(status.st_dev)):\(UInt64(status.st_ino))"
    }

    private static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var result = ""
        for character in text {
            if character.isNewline { result += "\\n" } else { result.append(character) }
        }
        return result
    }

    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\t" }) else {
            return value
        }
        // Only quotes are escaped: a backslash stays as written, so a folded line break reads `\n`.
        return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func utcTime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}
