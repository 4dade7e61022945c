import Foundation
import GRDB
import TansiqHub
import TansiqMessages
import TansiqMonitoring
import Testing
import ZeroMQ

@Suite("Hub monitoring over HTTP")
struct HubMetricsTests {
    @Test func metricsPassPromtoolAndTheirCountersMoveWithTraffic() async throws {
        try await withMonitoredHub { monitored in
            let (status, before) = try await monitored.get("metrics")
            #expect(status == 200)
            let first = String(decoding: before, as: UTF8.self)
            let client = try TrafficClient(monitored.endpoints, prefixes: ["referral/to/", "hub/rejected/"])
            for _ in 0..<5 {
                try client.publisher.send(try Sample.referralFrames())
                _ = try #require(try client.next(), "a referral was not forwarded")
            }
            // A message whose header is not JSON: refused, and the refusal is announced.
            var broken = try Sample.referralFrames()
            broken[1] = Array("not json".utf8)
            try client.publisher.send(broken)
            let rejection = try #require(try client.next(), "the refusal was not announced")
            #expect(String(decoding: rejection.frames[0], as: UTF8.self).hasPrefix("hub/rejected/"))

            let (_, after) = try await monitored.get("metrics")
            let text = String(decoding: after, as: UTF8.self)
            let check = try promtoolCheck(after)
            #expect(check.status == 0, "promtool check metrics: \(check.output)")
            let accepted = try #require(sample(text, "tansiq_hub_messages_accepted_total"))
            #expect(accepted - (sample(first, "tansiq_hub_messages_accepted_total") ?? 0) >= 5)
            #expect((sample(text, "tansiq_hub_messages_in_total") ?? 0) >= 6)
            #expect((sample(text, "tansiq_hub_bytes_in_total") ?? 0) > (sample(first, "tansiq_hub_bytes_in_total") ?? 0))
            #expect((sample(text, "tansiq_hub_messages_out_total") ?? 0) >= 6)
            #expect(sample(text, #"tansiq_agency_messages_in_total{agency="iom-morocco"}"#) == 5)
            #expect(text.contains(#"tansiq_hub_rejections_total{reason="#))
            #expect((sample(text, "tansiq_hub_journal_commit_duration_seconds_count") ?? 0) >= 5)
            #expect((sample(text, "tansiq_hub_journal_size_bytes") ?? 0) > 0)
            #expect(sample(text, "tansiq_hub_journal_healthy") == 1)
            #expect((sample(text, "tansiq_hub_peers") ?? 0) >= 2)
            #expect((sample(text, "tansiq_hub_subscriptions") ?? 0) >= 2)
            #expect(sample(text, "tansiq_hub_ingress_disconnects_total") == 0, "nobody left the ingress yet")
            #expect(text.contains("tansiq_agency_last_seen_timestamp_seconds{agency=\"iom-morocco\"}"))
            // Queue depths: the group commits since the first scrape, the registry's deadline
            // watch and records (the referrals are open), nothing left unconfirmed at a round's end.
            #expect((sample(text, "tansiq_hub_group_commit_pending_max_messages") ?? 0) >= 1)
            #expect((sample(text, "tansiq_hub_queue_deadlines_watched") ?? 0) >= 1)
            #expect((sample(text, "tansiq_hub_queue_referrals_in_memory") ?? 0) >= 1)
            #expect(sample(text, "tansiq_hub_queue_awaiting_confirmation") == 0)
            #expect(sample(text, "tansiq_hub_queue_confirmed_ids_remembered") != nil)
        }
    }

    @Test func referralsOpenByStateComeFromTheRegistry() async throws {
        try await withMonitoredHub(statisticsInterval: .milliseconds(100)) { monitored in
            let client = try TrafficClient(monitored.endpoints, prefixes: ["referral/to/", "hub/stats/"])
            var sent = 0
            while sent < 3 {
                try client.publisher.send(try Sample.referralFrames())
                while let message = try client.next(), !String(decoding: message.frames[0], as: UTF8.self).hasPrefix("referral/") {}
                sent += 1
            }
            // The registry is counted at each statistics round; the second round after the
            // referrals is certain to be in the snapshot the listener reads.
            var rounds = 0
            while rounds < 2, let message = try client.next() {
                if String(decoding: message.frames[0], as: UTF8.self).hasPrefix("hub/stats/") { rounds += 1 }
            }
            #expect(rounds == 2)
            let (_, body) = try await monitored.get("metrics")
            let text = String(decoding: body, as: UTF8.self)
            #expect(sample(text, #"tansiq_referrals_open{state="requested"}"#) == 3)
            #expect(sample(text, #"tansiq_referrals_open{state="accepted"}"#) == 0)
            #expect(sample(text, "tansiq_referrals_overdue") == 0)
            #expect(try promtoolCheck(body).status == 0)
        }
    }

    @Test func agenciesListsWhoTheHubHeardFrom() async throws {
        try await withMonitoredHub { monitored in
            let client = try TrafficClient(monitored.endpoints, prefixes: ["referral/to/"])
            try client.publisher.send(try Sample.referralFrames())
            _ = try #require(try client.next())
            let (status, body) = try await monitored.get("agencies")
            #expect(status == 200)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let report = try decoder.decode(HubHTTPService.AgenciesReport.self, from: body)
            let iom = try #require(report.agencies.first { $0.agency == Sample.referrer })
            #expect(iom.messagesIn == 1)
            #expect(iom.refusals == 0)
            #expect(iom.lastMessageAt != nil)
            #expect(report.peers >= 2)
        }
    }

    @Test func healthAndReadinessPassOnAWorkingHub() async throws {
        try await withMonitoredHub { monitored in
            // The loop has ended a round once a message has crossed the hub.
            let client = try TrafficClient(monitored.endpoints, prefixes: ["referral/to/"])
            try client.publisher.send(try Sample.referralFrames())
            _ = try #require(try client.next())
            for path in ["healthz", "readyz"] {
                let (status, body) = try await monitored.get(path)
                let report = try JSONDecoder().decode(HubHealthReport.self, from: body)
                #expect(status == 200, "\(path): \(String(decoding: body, as: UTF8.self))")
                #expect(report.status == "ok")
                #expect(report.checks.map(\.name) == ["loop", "journal", "authentication"])
            }
        }
    }

    @Test func healthFailsWhileTheJournalCannotBeWrittenAndRecovers() async throws {
        let (logger, logged) = LogWatcher.make()
        try await withMonitoredHub(statisticsInterval: .milliseconds(200), logger: logger) { monitored in
            // A real SQLite failure for every write, as a full disk gives.
            // It waits its turn: the hub commits every round.
            var waiting = Configuration()
            waiting.busyMode = .timeout(10)
            let saboteur = try DatabaseQueue(path: monitored.journalPath, configuration: waiting)
            try await saboteur.write { db in
                try db.execute(sql: "CREATE TRIGGER disk_full BEFORE INSERT ON message BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
            }
            // The hub's own statistics are journaled every 200 ms: the next one fails. After the
            // second failed round the first one's counters are in the hub's snapshot.
            var failedRounds = 0
            for await line in logged where line.hasPrefix("journal failed: batch not forwarded") {
                failedRounds += 1
                if failedRounds == 2 { break }
            }
            let (status, body) = try await monitored.get("healthz")
            let report = try JSONDecoder().decode(HubHealthReport.self, from: body)
            #expect(status == 503)
            #expect(report.status == "failing")
            let journal = try #require(report.checks.first { $0.name == "journal" })
            #expect(!journal.ok)
            #expect(journal.detail.contains("last commit failed"))
            #expect(journal.detail.contains("disk is full"))
            let (_, metrics) = try await monitored.get("metrics")
            #expect(sample(String(decoding: metrics, as: UTF8.self), "tansiq_hub_journal_healthy") == 0)

            // Space is back: the next statistics message is journaled and forwarded, and the hub is healthy again.
            try await saboteur.write { db in try db.execute(sql: "DROP TRIGGER disk_full") }
            try saboteur.close()
            let client = try TrafficClient(monitored.endpoints, prefixes: ["hub/stats/"])
            _ = try #require(try client.next(), "no statistics after the journal recovered")
            let (recovered, _) = try await monitored.get("healthz")
            #expect(recovered == 200)
        }
    }
}
