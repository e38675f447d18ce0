using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace KafkaFast.Tests.Support;

/// <summary>
/// A failed <see cref="Debug.Assert(bool, string)"/> anywhere in the test process ends it at once with the assertion's
/// message. KafkaFast's invariant checks (Debug builds, see .ci/run) run on producer worker threads, where the test
/// host's usual assert-to-exception would only show up later as a "worker crashed" producer and a timeout, or not at
/// all; a crash fails the run and prints the broken rule.
/// </summary>
internal static class FailFastOnDebugAssert
{
#pragma warning disable CA2255 // Must be in place before any test starts a producer.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install()
    {
        Trace.Listeners.Clear();
        Trace.Listeners.Add(new FailFastListener());
    }

    private sealed class FailFastListener : TraceListener
    {
        public override void Fail(string? message, string? detailMessage) =>
            Environment.FailFast($"Debug.Assert failed: {message} {detailMessage}".TrimEnd());

        public override void Write(string? message)
        {
        }

        public override void WriteLine(string? message)
        {
        }
    }
}
