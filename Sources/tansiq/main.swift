import TansiqCLI

await TansiqCommand.main()
