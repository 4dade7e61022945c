import Foundation
@testable import TansiqAgent
import Testing

@Suite("Agent state file durability")
struct AgentStoreDurabilityTests {
    @Test func aProcessLongStateSkipsFsyncAndKeepsWhatItCommittedAcrossReopening() throws {
        let path = try temporaryDirectory().appendingPathComponent("agent.sqlite").path
        let referral = sampleReferral(to: "health-delegation-agadir")
        let tracked = AgentStoreTests.tracked(referral, state: .received)
        do {
            let store = try AgentStore(path: path, cacheKiB: 32, durability: .process)
            _ = try store.load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
            // OFF, still WAL (a killed process loses nothing committed), the cache bound kept.
            #expect(try store.setting("synchronous") == "0")
            #expect(try store.setting("journal_mode") == "wal")
            #expect(try store.setting("cache_size") == "-32")
            try store.commit(.init(referrals: [tracked], cursor: StreamCursor(hub: "main", sequence: 7)))
        }
        let store = try AgentStore(path: path)
        #expect(try store.setting("synchronous") == "1", "the default stays NORMAL")
        let reopened = try store.load(agency: "health-delegation-agadir", agent: "health-delegation-agadir-1")
        #expect(reopened.cursor == StreamCursor(hub: "main", sequence: 7))
        #expect(reopened.referrals == [tracked])
    }
}
