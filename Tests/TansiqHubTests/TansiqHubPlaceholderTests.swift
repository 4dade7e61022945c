import Testing
@testable import TansiqHub

@Test func moduleLinks() { _ = TansiqHubModule.self }
