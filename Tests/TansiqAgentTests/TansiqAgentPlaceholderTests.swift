import Testing
@testable import TansiqAgent

@Test func moduleLinks() { _ = TansiqAgentModule.self }
