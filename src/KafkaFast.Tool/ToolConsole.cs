namespace KafkaFast.Tool;

/// <summary>Where a command reads its input and writes its output and diagnostics.</summary>
internal sealed record ToolConsole(TextReader In, TextWriter Out, TextWriter Error);
