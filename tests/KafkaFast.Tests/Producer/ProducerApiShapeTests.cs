using System.Reflection;
using KafkaFast.Producer;

namespace KafkaFast.Tests.Producer;

public class ProducerApiShapeTests
{
    /// <summary>The optional parameters every produce overload may take, in the one order they all use.</summary>
    private static readonly string[] s_optionalOrder = ["headers", "partition", "timestamp", "sizeHint"];

    [Fact]
    public void Every_produce_overload_takes_headers_partition_timestamp_then_sizeHint_after_the_value()
    {
        MethodInfo[] produceCalls = [.. typeof(KafkaProducer).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name.Contains("Produce", StringComparison.Ordinal))];
        Assert.Contains(produceCalls, m => m.GetParameters().Any(p => p.Name == "sizeHint")); // the check below has something to check

        foreach (MethodInfo method in produceCalls)
        {
            ParameterInfo[] parameters = method.GetParameters();
            string[] optional = [.. parameters.Select(p => p.Name!).Where(s_optionalOrder.Contains)];
            string[] expected = [.. s_optionalOrder.Where(optional.Contains)];
            Assert.True(expected.SequenceEqual(optional), $"{method}: [{string.Join(", ", optional)}], expected [{string.Join(", ", expected)}]");

            // They follow the message itself: nothing but the cancellation token comes after them.
            int first = Array.FindIndex(parameters, p => s_optionalOrder.Contains(p.Name));
            if (first >= 0)
            {
                Assert.All(parameters[first..], p => Assert.True(s_optionalOrder.Contains(p.Name) || p.ParameterType == typeof(CancellationToken), $"{method}: {p.Name} after the optional parameters"));
            }
        }
    }
}
