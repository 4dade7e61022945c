import Testing
@testable import ZeroMQ

@Test func moduleLinks() { _ = ZeroMQModule.self }
