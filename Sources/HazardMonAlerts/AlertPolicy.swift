// SPDX-License-Identifier: Apache-2.0
import HazardMonCore

/// Who is told at each warning level, how soon they must acknowledge, how an alert escalates, and the
/// gateways that carry messages: `roster/policy.yaml`, documented key by key in `roster/README.md`.
///
/// ```swift
/// let roster = try RosterLoader.load(directory: "roster", registry: registry)
/// let red = roster.policy.levels[.red]!          // every warning level has an entry
/// red.roles                                      // [.monitor, .villageHead, …, .countyDuty]
/// red.ackWithin                                  // .seconds(300)
/// ```
public struct AlertPolicy: Sendable, Hashable {
    /// What the policy says about one warning level.
    public struct Level: Sendable, Hashable {
        /// The roles told when a site reaches the level, in ``ContactRole`` order.
        public var roles: [ContactRole]
        /// How soon a told contact must acknowledge (叫应) before the alert escalates; nil: no
        /// acknowledgement is asked for at this level.
        public var ackWithin: Duration?
        /// How often an unacknowledged alert is sent again before the deadline; nil: once, at half ``ackWithin``
        /// (``AlertMachine``).
        public var remindEvery: Duration?
        /// The line of the level's key in `policy.yaml` (0 when not read from a file).
        public var line: Int
        /// The line of its `notify:` key (0 when not read from a file).
        public var notifyLine: Int

        public init(roles: [ContactRole], ackWithin: Duration? = nil, remindEvery: Duration? = nil, line: Int = 0, notifyLine: Int = 0) {
            self.roles = roles
            self.ackWithin = ackWithin
            self.remindEvery = remindEvery
            self.line = line
            self.notifyLine = notifyLine
        }
    }

    /// Every warning level (blue, yellow, orange, red) and what it asks.
    public var levels: [WarningLevel: Level]
    /// The tiers an unacknowledged alert climbs, bottom first (`[village, township, county]`).
    public var escalation: [EscalationTier]
    /// While a level stays raised, how often the told contacts hear it again; a level that falls and rises
    /// again within it is not sent again (``AlertMachine``).
    public var repeatInterval: Duration
    /// The gateways, by name.
    public var gateways: [String: Gateway]
    /// Template files by template name, as written (relative to the roster folder).
    public var templates: [String: String]
    /// The line of the `escalation:` key (0 when not read from a file).
    public var escalationLine: Int

    public init(
        levels: [WarningLevel: Level], escalation: [EscalationTier], repeatInterval: Duration,
        gateways: [String: Gateway], templates: [String: String] = [:], escalationLine: Int = 0
    ) {
        self.levels = levels
        self.escalation = escalation
        self.repeatInterval = repeatInterval
        self.gateways = gateways
        self.templates = templates
        self.escalationLine = escalationLine
    }

    /// The roles told at `level`; none for ``WarningLevel/none`` or a level without an entry.
    public func roles(at level: WarningLevel) -> [ContactRole] {
        self.levels[level]?.roles ?? []
    }
}

/// A named way to deliver a message. Only declared and checked for now; delivery comes later.
public struct Gateway: Sendable, Hashable {
    /// What carries the message.
    public enum Kind: Sendable, Hashable {
        /// An HTTPS POST to an SMS or voice provider's relay, signed with an HMAC key.
        case webhook(Webhook)
        /// A program run once per message.
        case command(Command)
        /// A line appended to a file (an audit trail, or a pickup folder for another system).
        case file(path: String)
    }

    /// A `webhook` gateway's settings.
    public struct Webhook: Sendable, Hashable {
        /// The `http` or `https` URL posted to.
        public var url: String
        /// The file holding the HMAC key requests are signed with; nil: unsigned.
        public var secretFile: String?
        /// How long one request may take.
        public var timeout: Duration
        /// How many requests may be in flight at once.
        public var concurrency: Int
        /// The provider's approved template code for each template name (SMS goes through approved
        /// templates only, domain.md §6).
        public var templateCodes: [String: String]

        public init(url: String, secretFile: String?, timeout: Duration, concurrency: Int, templateCodes: [String: String]) {
            self.url = url
            self.secretFile = secretFile
            self.timeout = timeout
            self.concurrency = concurrency
            self.templateCodes = templateCodes
        }
    }

    /// A `command` gateway's settings.
    public struct Command: Sendable, Hashable {
        /// The program run, as written (an absolute path, or a name looked up in `PATH`).
        public var program: String
        public var arguments: [String]
        /// How long one run may take.
        public var timeout: Duration

        public init(program: String, arguments: [String], timeout: Duration) {
            self.program = program
            self.arguments = arguments
            self.timeout = timeout
        }
    }

    public var name: String
    public var kind: Kind
    /// The line of the gateway's key in `policy.yaml` (0 when not read from a file).
    public var line: Int

    public init(name: String, kind: Kind, line: Int = 0) {
        self.name = name
        self.kind = kind
        self.line = line
    }

    /// `webhook`, `command` or `file`.
    public var kindName: String {
        switch self.kind {
        case .webhook: "webhook"
        case .command: "command"
        case .file: "file"
        }
    }
}
