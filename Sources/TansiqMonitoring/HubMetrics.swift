import Foundation
import Prometheus
import Synchronization
import TansiqHub
import TansiqMessages

/// The hub's Prometheus metrics. It watches the hub's loop (as its ``HubObserver``: commit
/// latency, liveness, full ingress rounds) and, at each scrape, copies the hub's lock-protected
/// counters into the registry.
///
/// The metrics are made with swift-prometheus's registry rather than through swift-metrics'
/// factory because only the registry carries help texts, which `promtool check metrics` requires.
public final class HubMetrics: HubObserver {
    /// Where every metric is kept; ``exposition()`` renders it.
    public let registry: PrometheusCollectorRegistry
    private let commitLatency: DurationHistogram
    private let commitSize: ValueHistogram
    private let state = Mutex(State())
    private let ingressBatchLimit: UInt64
    /// One scrape at a time: each computes its increments from the one before.
    private let scrapeLock = Mutex(())

    private struct State {
        /// The counters as of the previous scrape: Prometheus counters only move forward.
        var scraped = HubCounters()
        var scrapedFullRounds: UInt64 = 0
        var lastRound: ContinuousClock.Instant?
        var messagesInAtLastRound: UInt64 = 0
        var fullRounds: UInt64 = 0
        var lastRoundMessages: UInt64 = 0
        /// The largest group commit since the previous scrape: the deepest the round's batch got.
        var largestCommitSinceScrape = 0
    }

    /// Creates the metrics in `registry` (a new one unless given).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), ingressBatchLimit: Int = 2048) {
        self.registry = registry
        self.ingressBatchLimit = UInt64(ingressBatchLimit)
        commitLatency = registry.makeDurationHistogram(
            name: "tansiq_hub_journal_commit_duration_seconds",
            labels: [],
            buckets: [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
            ],
            help: "Time the journal took to commit one batch (one transaction, synced as the durability says)."
        )
        commitSize = registry.makeValueHistogram(
            name: "tansiq_hub_journal_commit_messages",
            labels: [],
            buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 2048],
            help: "Messages stored by one journal commit (a group commit of one poll round)."
        )
    }

    // MARK: HubObserver (the hub's thread)

    public func journalCommitted(messages: Int, duration: Duration) {
        commitLatency.record(duration)
        commitSize.record(Double(messages))
        state.withLock { $0.largestCommitSinceScrape = max($0.largestCommitSinceScrape, messages) }
    }

    public func roundEnded(_ counters: HubCounters) {
        let now = ContinuousClock.now
        state.withLock { state in
            let read = counters.messagesIn &- state.messagesInAtLastRound
            state.messagesInAtLastRound = counters.messagesIn
            if read > 0 { state.lastRoundMessages = read }
            // A round that read its whole batch left messages in the ingress queue: the hub is behind.
            if read >= ingressBatchLimit { state.fullRounds += 1 }
            state.lastRound = now
        }
    }

    /// How long ago the hub's loop last ended a poll round; `nil` before the first one.
    public var sinceLastRound: Duration? {
        state.withLock { $0.lastRound }.map { ContinuousClock.now - $0 }
    }

    // MARK: Scrape

    /// Copies `counters` (the hub's snapshot) and the journal file's figures into the registry.
    public func update(from counters: HubCounters, journal: JournalFileFigures?) {
        scrapeLock.withLock { _ in record(counters, journal: journal) }
    }

    private func record(_ counters: HubCounters, journal: JournalFileFigures?) {
        let (previous, fullRounds, previousFullRounds, lastRoundMessages, largestCommit) = state.withLock { state in
            defer {
                state.scraped = counters
                state.scrapedFullRounds = state.fullRounds
                state.largestCommitSinceScrape = 0
            }
            return (state.scraped, state.fullRounds, state.scrapedFullRounds, state.lastRoundMessages, state.largestCommitSinceScrape)
        }
        func advance(_ name: String, _ labels: [(String, String)] = [], _ help: String, _ value: UInt64, _ old: UInt64) {
            let counter = registry.makeCounter(name: name, labels: labels, help: help)
            if value > old { counter.increment(by: Int64(clamping: value - old)) }
        }
        func gauge(_ name: String, _ labels: [(String, String)] = [], _ help: String, _ value: Double) {
            registry.makeGauge(name: name, labels: labels, help: help).set(value)
        }
        advance("tansiq_hub_messages_in_total", [], "Messages read from the ingress, valid or not.", counters.messagesIn, previous.messagesIn)
        // Every open state is shown, at 0 too, so that a state that empties does not keep its last count.
        var open: [String: Int] = [:]
        for state in ReferralState.allCases where !state.isTerminal { open[state.rawValue] = counters.referralsOpenByState[state.rawValue] ?? 0 }
        recordReferrals(openByState: open, overdue: counters.referralsOverdue)
        advance("tansiq_hub_messages_out_total", [], "Messages written to the egress: forwarded ones and the hub's own.", counters.messagesOut, previous.messagesOut)
        advance("tansiq_hub_bytes_in_total", [], "Bytes read from the ingress, all frames counted.", counters.bytesIn, previous.bytesIn)
        advance("tansiq_hub_bytes_out_total", [], "Bytes written to the egress, all frames counted.", counters.bytesOut, previous.bytesOut)
        advance("tansiq_hub_messages_accepted_total", [], "Publishers' messages accepted, journaled and forwarded.", counters.accepted, previous.accepted)
        var rejections = counters.rejections
        rejections["authentication-refused"] = counters.refusedAuthentications
        rejections["subscription-denied"] = counters.deniedSubscriptions
        var previousRejections = previous.rejections
        previousRejections["authentication-refused"] = previous.refusedAuthentications
        previousRejections["subscription-denied"] = previous.deniedSubscriptions
        for (reason, count) in rejections.sorted(by: { $0.key < $1.key }) {
            advance(
                "tansiq_hub_rejections_total", [("reason", reason)],
                "Messages, subscriptions and connections the hub refused, by reason.", count, previousRejections[reason] ?? 0)
        }
        advance("tansiq_hub_replay_requests_total", [], "Replay requests received, valid or not.", counters.replayRequests, previous.replayRequests)
        advance("tansiq_hub_replayed_messages_total", [], "Messages sent to replay clients.", counters.replayedMessages, previous.replayedMessages)
        for (code, count) in counters.replayErrors.sorted(by: { $0.key < $1.key }) {
            advance(
                "tansiq_hub_replay_errors_total", [("code", code)], "Replay requests answered with an error, and pages cut short, by code.",
                count, previous.replayErrors[code] ?? 0)
        }
        advance(
            "tansiq_hub_ingress_disconnects_total", [],
            "Connections to the plain ingress that ended: peers that closed, and peers libzmq dropped for a frame over its limit.",
            counters.ingressDisconnects, previous.ingressDisconnects)
        advance("tansiq_hub_journal_failures_total", [], "Messages not forwarded because the journal could not store them.", counters.journalFailures, previous.journalFailures)
        gauge("tansiq_hub_peers", [], "Connections open on the ingress and egress.", Double(counters.peers))
        gauge("tansiq_hub_subscriptions", [], "Distinct subscription prefixes held by subscribers.", Double(counters.subscriptions))
        gauge("tansiq_hub_last_sequence", [], "The last sequence number the hub stamped.", Double(counters.lastSequence))
        gauge("tansiq_hub_secure", [], "1 when the hub runs with CURVE and access control.", counters.secure ? 1 : 0)
        gauge(
            "tansiq_hub_journal_healthy", [], "1 when the journal's last commit succeeded (or the hub runs without a journal).",
            counters.journalError == nil ? 1 : 0)
        if let commit = counters.lastJournalCommitAt {
            gauge("tansiq_hub_journal_last_commit_timestamp_seconds", [], "When the journal last committed a batch (Unix time).", commit.timeIntervalSince1970)
        }
        if let journal {
            gauge("tansiq_hub_journal_size_bytes", [], "The journal's SQLite file and its write-ahead log, in bytes.", Double(journal.bytes))
            if let free = journal.freeBytes {
                gauge("tansiq_hub_journal_disk_free_bytes", [], "Bytes free for the hub on the journal's file system.", Double(free))
            }
        }
        // ZeroMQ does not show its queues' depths; what the hub sees is how much each round read.
        gauge("tansiq_hub_ingress_last_round_messages", [], "Messages the last busy poll round read from the ingress queue.", Double(lastRoundMessages))
        gauge(
            "tansiq_hub_group_commit_pending_max_messages", [],
            "The most messages one round's group commit held, since the previous scrape (0: none committed).", Double(largestCommit))
        gauge("tansiq_hub_queue_deadlines_watched", [], "Referral deadlines queued for the hub's watch.", Double(counters.queues.deadlinesWatched))
        gauge("tansiq_hub_queue_referrals_in_memory", [], "Referrals the registry holds in memory.", Double(counters.queues.referralsInMemory))
        gauge(
            "tansiq_hub_queue_awaiting_confirmation", [], "Confirmed messages received at the end of the last round and not yet stored.",
            Double(counters.queues.awaitingConfirmation))
        gauge(
            "tansiq_hub_queue_confirmed_ids_remembered", [], "Confirmed message ids remembered to recognise re-sends (at most 100000).",
            Double(counters.queues.confirmedIDsRemembered))
        advance(
            "tansiq_hub_ingress_full_rounds_total", [],
            "Poll rounds that read a whole batch and left messages queued in the ingress: the hub was behind.", fullRounds, previousFullRounds)
        for (agency, activity) in counters.agencies.sorted(by: { $0.key < $1.key }) {
            let labels = [("agency", agency)]
            let old = previous.agencies[agency] ?? HubAgencyActivity()
            advance("tansiq_agency_messages_in_total", labels, "Messages the hub accepted from the agency.", activity.messagesIn, old.messagesIn)
            advance("tansiq_agency_refusals_total", labels, "Messages and subscriptions of the agency the hub refused.", activity.refusals, old.refusals)
            if let seen = activity.lastSeenAt {
                gauge("tansiq_agency_last_seen_timestamp_seconds", labels, "The agency's last message or heartbeat (Unix time).", seen.timeIntervalSince1970)
            }
            gauge("tansiq_agency_silent", labels, "1 when the agency's heartbeats have stopped.", activity.silent ? 1 : 0)
        }
    }

    /// Referrals open by state, and overdue ones, from the hub's registry (every scrape).
    public func recordReferrals(openByState: [String: Int], overdue: Int) {
        for (state, count) in openByState.sorted(by: { $0.key < $1.key }) {
            registry.makeGauge(name: "tansiq_referrals_open", labels: [("state", state)], help: "Referrals open, by state.").set(Double(count))
        }
        registry.makeGauge(name: "tansiq_referrals_overdue", labels: [], help: "Open referrals past their deadline.").set(Double(overdue))
    }

    /// The metrics in Prometheus's text format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// The journal's file as the metrics show it.
public struct JournalFileFigures: Sendable, Equatable {
    /// The SQLite file, its write-ahead log and shared-memory index, in bytes.
    public var bytes: UInt64
    /// Bytes free for an unprivileged user on the journal's file system; `nil` when unknown.
    public var freeBytes: UInt64?

    /// Reads the figures of the journal at `path`; `nil` when the file does not exist.
    public static func read(path: String) -> JournalFileFigures? {
        let files = FileManager.default
        guard let main = try? files.attributesOfItem(atPath: path)[.size] as? NSNumber else { return nil }
        var bytes = main.uint64Value
        for suffix in ["-wal", "-shm"] {
            if let size = try? files.attributesOfItem(atPath: path + suffix)[.size] as? NSNumber { bytes += size.uint64Value }
        }
        var stats = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        let free: UInt64? = statvfs(directory.isEmpty ? "." : directory, &stats) == 0 ? UInt64(stats.f_bavail) * UInt64(stats.f_frsize) : nil
        return JournalFileFigures(bytes: bytes, freeBytes: free)
    }
}
