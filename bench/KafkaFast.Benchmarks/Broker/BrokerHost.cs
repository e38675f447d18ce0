using System.Globalization;
using KafkaFast.Mock;

namespace KafkaFast.Benchmarks.Broker;

/// <summary>
/// The broker-host mode: this program, re-launched as a child process, runs the embedded cluster so that its
/// CPU is not counted as the producer's. Protocol, one line each way: it prints "bootstrap HOST:PORT,..." once,
/// then answers each command on stdin with "ok ..." or "error ...". Commands: "topic NAME PARTITIONS",
/// "rtt MILLISECONDS [BROKER-ID]" (every broker, or one), "down ID", "up ID", "errors API-KEY CODE[,CODE...]" (the next
/// requests of that type fail with those errors), "leader TOPIC PARTITION BROKER-ID", "group-delay MILLISECONDS",
/// "quit". It exits when stdin closes (the parent died). The chaos program (bench/KafkaFast.Chaos) drives its faults here.
/// </summary>
internal static class BrokerHost
{
    internal const string Mode = "broker-host";

    internal static int Run(int brokerCount)
    {
        using var cluster = new KafkaMockCluster(brokerCount);
        var stdout = Console.Out;
        stdout.WriteLine($"bootstrap {cluster.BootstrapServers}");
        stdout.Flush();

        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            try
            {
                switch (parts[0])
                {
                    case "topic":
                        cluster.CreateTopic(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture));
                        stdout.WriteLine("ok");
                        break;
                    case "rtt":
                        var rtt = TimeSpan.FromMilliseconds(int.Parse(parts[1], CultureInfo.InvariantCulture));
                        if (parts.Length > 2)
                        {
                            cluster.SetBrokerRoundTripTime(int.Parse(parts[2], CultureInfo.InvariantCulture), rtt);
                        }
                        else
                        {
                            for (int id = 1; id <= cluster.BrokerCount; id++)
                            {
                                cluster.SetBrokerRoundTripTime(id, rtt);
                            }
                        }

                        stdout.WriteLine("ok");
                        break;
                    case "down":
                        cluster.SetBrokerDown(int.Parse(parts[1], CultureInfo.InvariantCulture));
                        stdout.WriteLine("ok");
                        break;
                    case "up":
                        cluster.SetBrokerUp(int.Parse(parts[1], CultureInfo.InvariantCulture));
                        stdout.WriteLine("ok");
                        break;
                    case "errors":
                        KafkaErrorCode[] codes = parts[2].Split(',').Select(c => (KafkaErrorCode)int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                        cluster.PushRequestErrors((KafkaApiKey)short.Parse(parts[1], CultureInfo.InvariantCulture), codes);
                        stdout.WriteLine("ok");
                        break;
                    case "leader":
                        cluster.SetPartitionLeader(parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
                        stdout.WriteLine("ok");
                        break;
                    case "group-delay":
                        cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(int.Parse(parts[1], CultureInfo.InvariantCulture)));
                        stdout.WriteLine("ok");
                        break;
                    case "quit":
                        stdout.WriteLine("ok");
                        stdout.Flush();
                        return 0;
                    default:
                        stdout.WriteLine($"error unknown command '{parts[0]}'");
                        break;
                }
            }
            catch (Exception e) when (e is KafkaException or ArgumentException or FormatException or IndexOutOfRangeException)
            {
                stdout.WriteLine($"error {e.Message.ReplaceLineEndings(" ")}");
            }

            stdout.Flush();
        }

        return 0;
    }
}
