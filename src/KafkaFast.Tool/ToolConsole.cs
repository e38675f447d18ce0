using System.Text;

namespace KafkaFast.Tool;

/// <summary>
/// Where a command reads its input and writes its output and diagnostics. Messages travel as bytes
/// (<see cref="Input"/>, <see cref="Output"/>); tables and text go through <see cref="Out"/> (UTF-8 over the same
/// output, flushed after every write so the two never interleave out of order). Diagnostics go to <see cref="Error"/>.
/// </summary>
internal sealed class ToolConsole
{
    private readonly Func<bool> _outputClosed;

    internal ToolConsole(Stream input, Stream output, TextWriter error, Func<bool>? outputClosed = null)
    {
        Input = input;
        Output = output;
        Error = error;
        _outputClosed = outputClosed ?? (static () => false);
        In = new StreamReader(input, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        Out = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 4096, leaveOpen: true) { AutoFlush = true };
    }

    /// <summary>Standard input as bytes (produce reads messages here).</summary>
    internal Stream Input { get; }

    /// <summary>Standard output as bytes (consume writes messages here). A write fails with IOException once the reader is gone.</summary>
    internal Stream Output { get; }

    /// <summary>Standard input as UTF-8 text.</summary>
    internal TextReader In { get; }

    /// <summary>Standard output as UTF-8 text (auto-flushed).</summary>
    internal TextWriter Out { get; }

    /// <summary>Diagnostics: progress lines start with "% ", errors with "error: ".</summary>
    internal TextWriter Error { get; }

    /// <summary>Whether whoever read standard output has gone (e.g. <c>| head</c> exited), even if nothing was written since.</summary>
    internal bool OutputClosed => _outputClosed();
}
