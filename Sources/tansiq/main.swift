import TansiqCLI

await CommandEntry.run(TansiqCommand.self)
