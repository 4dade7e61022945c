import Testing
@testable import TansiqMessages

@Test func moduleLinks() { _ = TansiqMessagesModule.self }
