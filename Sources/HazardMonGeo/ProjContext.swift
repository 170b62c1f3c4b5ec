// SPDX-License-Identifier: Apache-2.0
import CProj

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw owner of one `PJ_CONTEXT*`, and the collector of the messages PROJ logs on it.
///
/// PROJ forbids concurrent use of a context, so this class is deliberately not `Sendable`: it lives inside
/// the ``Geodesy`` actor and is only touched from that actor's executor (style.md §3.1-3.3). Every
/// ``ProjObject`` created on the context keeps a strong reference to it, so the context is destroyed only
/// after the last `PJ*` made from it (style.md §3.4).
///
/// ## PROJ's own words
/// `proj_context_errno_string` alone is unhelpful for the most common mistake: an unknown EPSG code gives
/// errno 4096, "Unknown error (code 4096)". The useful text ("proj_create: crs not found") only reaches a
/// `proj_log_func`. This class installs one at level `PJ_LOG_ERROR` and keeps the last few messages. The C
/// callback finds its owner through the `app_data` pointer (an unretained `Unmanaged` reference; see
/// `init`), so there is no global and no thread-local state.
final class ProjContext {
    /// The context, or nil once ``close()`` ran.
    private(set) var raw: OpaquePointer?
    /// Messages PROJ logged since the last ``clearMessages()``, oldest first, at most ``messageLimit``.
    private(set) var messages: [String] = []
    private static let messageLimit = 8

    /// Creates a context, installs the log function and makes sure `proj.db` can be opened.
    ///
    /// - Parameter searchPaths: Directories to search for `proj.db` and grids instead of PROJ's defaults.
    ///   With nil, PROJ's usual lookup applies (`PROJ_DATA`/`PROJ_LIB`, then the directory compiled into
    ///   libproj, `/usr/share/proj` on Debian); if that finds no `proj.db` (typically a stale `PROJ_LIB`
    ///   left by other GIS software), the standard install directories in ``fallbackSearchPaths`` that
    ///   hold a `proj.db` are tried before giving up.
    /// - Throws: ``ProjError/contextUnavailable(message:)`` with PROJ's logged words.
    init(searchPaths: [String]?) throws(ProjError) {
        guard let context = proj_context_create() else {
            throw .contextUnavailable(message: "proj_context_create returned NULL")
        }
        self.raw = context
        // From here on `deinit` runs if `init` throws, and destroys the context.

        // `app_data` is an unretained reference to `self`. That is sound because the log function can only
        // be called during a PROJ call on this context, the context is destroyed in `close()` or `deinit`
        // (never later than `self`), and after `proj_context_destroy` PROJ never calls it again.
        proj_log_func(context, Unmanaged.passUnretained(self).toOpaque()) { appData, _, message in
            guard let appData, let message else { return }
            let owner = Unmanaged<ProjContext>.fromOpaque(appData).takeUnretainedValue()
            owner.record(String(cString: message))
        }
        // Errors only: PROJ_DEBUG in the environment must not turn every transform into a log flood.
        proj_log_level(context, PJ_LOG_ERROR)

        if let searchPaths {
            Self.setSearchPaths(searchPaths, on: context)
            if self.databasePath() == nil {
                throw .contextUnavailable(message: self.takeMessage() ?? "proj.db not found in \(searchPaths)")
            }
            return
        }
        if self.databasePath() == nil {
            let firstFailure = self.takeMessage() ?? "proj.db not found"
            let candidates = Self.fallbackSearchPaths.filter { Self.fileExists("\($0)/proj.db") }
            guard !candidates.isEmpty else { throw .contextUnavailable(message: firstFailure) }
            Self.setSearchPaths(candidates, on: context)
            guard self.databasePath() != nil else {
                throw .contextUnavailable(message: "\(firstFailure); \(self.takeMessage() ?? "") (tried \(candidates))")
            }
        }
        self.clearMessages()
    }

    deinit {
        // Safety net: `Geodesy.close()` normally destroyed the context already. No `proj_cleanup()` here:
        // it clears process-wide caches shared with every other context and belongs at process exit.
        if let raw = self.raw {
            proj_context_destroy(raw)
        }
    }

    /// Where PROJ data is looked for when the default lookup finds no `proj.db`: Debian/Ubuntu packages,
    /// a `/usr/local` build, Homebrew on Apple silicon.
    static let fallbackSearchPaths = ["/usr/share/proj", "/usr/local/share/proj", "/opt/homebrew/share/proj"]

    var isOpen: Bool { self.raw != nil }

    /// Destroys the context. Every ``ProjObject`` made on it must be gone by now (``Geodesy/close()``
    /// empties its caches first); an object that outlives the context is leaked, never destroyed late.
    func close() {
        if let raw = self.raw {
            proj_context_destroy(raw)
            self.raw = nil
        }
    }

    /// Forgets earlier messages; call right before the PROJ call whose failure you want to explain.
    func clearMessages() {
        self.messages.removeAll(keepingCapacity: true)
    }

    /// The messages logged since ``clearMessages()``, joined with "; ", or nil when PROJ logged none.
    /// Clears them.
    func takeMessage() -> String? {
        defer { self.clearMessages() }
        return self.messages.isEmpty ? nil : self.messages.joined(separator: "; ")
    }

    /// The best explanation of the failure that just happened: PROJ's logged text, else the string for
    /// the context's errno (read now, on this context).
    func failureMessage() -> String {
        if let logged = self.takeMessage() {
            return logged
        }
        guard let raw = self.raw else { return "PROJ context closed" }
        let code = proj_context_errno(raw)
        guard code != 0, let text = proj_context_errno_string(raw, code) else { return "PROJ reported no reason" }
        return String(cString: text)
    }

    private func record(_ message: String) {
        if self.messages.count == Self.messageLimit {
            self.messages.removeFirst()
        }
        self.messages.append(message)
    }

    /// The path of the `proj.db` in use, opening it if needed; nil (with a logged message) if none opens.
    private func databasePath() -> String? {
        guard let raw = self.raw, let path = proj_context_get_database_path(raw) else { return nil }
        return String(cString: path)
    }

    private static func setSearchPaths(_ paths: [String], on context: OpaquePointer) {
        // PROJ copies the strings; they only need to live for the duration of the call.
        var cStrings = paths.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        cStrings.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { rebound in
                proj_context_set_search_paths(context, Int32(rebound.count), rebound.baseAddress)
            }
        }
    }

    private static func fileExists(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }
}

@available(*, unavailable)
extension ProjContext: Sendable {}
