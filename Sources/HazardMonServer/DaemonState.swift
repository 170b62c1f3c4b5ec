// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// What a reload swaps: the register's channels and the tokens. Readers take a consistent snapshot.
public final class DaemonState: Sendable {
    private let directoryValue: Mutex<ChannelDirectory>
    private let tokensValue: Mutex<TokenTable>
    private let readyValue = Mutex(false)

    public init(directory: ChannelDirectory, tokens: TokenTable) {
        self.directoryValue = Mutex(directory)
        self.tokensValue = Mutex(tokens)
    }

    public var directory: ChannelDirectory {
        get { self.directoryValue.withLock { $0 } }
        set { self.directoryValue.withLock { $0 = newValue } }
    }

    public var tokens: TokenTable {
        get { self.tokensValue.withLock { $0 } }
        set { self.tokensValue.withLock { $0 = newValue } }
    }

    /// True while the server listens and the ingest loop runs; `/readyz` answers 200 only then.
    public var isReady: Bool {
        get { self.readyValue.withLock { $0 } }
        set { self.readyValue.withLock { $0 = newValue } }
    }
}
