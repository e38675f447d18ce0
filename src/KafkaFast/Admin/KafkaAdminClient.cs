using KafkaFast.Configuration;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaFast.Admin;

/// <summary>
/// Manages topics, configurations, consumer groups and their offsets over librdkafka's Admin API.
/// </summary>
/// <remarks>
/// <para><b>Asynchronous, no thread held.</b> Every call validates its arguments (bad input throws
/// <see cref="ArgumentException"/> at once, naming the problem), hands the request to librdkafka and returns a task.
/// Results arrive on the client's own queue and are read on the thread pool; nothing waits in between. The one
/// exception is <see cref="GetMetadataAsync"/> (and <see cref="ListTopicsAsync"/>): librdkafka's metadata call is
/// synchronous, so it occupies a thread-pool thread until the answer or the timeout.</para>
/// <para><b>Errors.</b> A request that fails as a whole, or for any of its items, throws
/// <see cref="KafkaAdminException"/>: its message names the operation, each failed topic or group and librdkafka's
/// reason; <see cref="KafkaAdminException.Results"/> lists every item. Every call ends by
/// <see cref="KafkaAdminClientOptions.RequestTimeout"/> at the latest; a cancelled token ends the wait earlier (the
/// request itself may still take effect on the cluster).</para>
/// <para><b>The embedded cluster</b> (<c>KafkaMockCluster</c>, librdkafka's mock brokers) serves metadata,
/// ListOffsets and consumer-group offsets (list with named partitions, alter). It names no controller, so requests
/// that go to the controller (create/delete topics, add partitions, describe topics, describe and alter configs) fail
/// after the request timeout with "waiting for controller"; it does not implement ListGroups or DescribeGroups, so
/// those fail at once with <see cref="KafkaErrorCode.UnsupportedFeature"/>. docs/ADMIN.md has the table.</para>
/// <para><b>Thread safety.</b> Every member is thread-safe; requests may overlap.</para>
/// </remarks>
public sealed partial class KafkaAdminClient : IDisposable
{
    private readonly SafeKafkaHandle _rk;
    private readonly AdminRequestDispatcher _dispatcher;
    private readonly int _requestTimeoutMs;
    private readonly ILogger _logger;

    /// <summary>Creates the client; it connects when the first request needs a broker.</summary>
    /// <param name="options">The settings, validated here.</param>
    /// <param name="loggerFactory">Receives librdkafka's log lines and client errors (category "KafkaFast.Admin"); none: they are dropped (nothing is written to the console).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and gives the reason.</exception>
    public KafkaAdminClient(KafkaAdminClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _requestTimeoutMs = options.RequestTimeoutMilliseconds;
        _logger = (ILogger?)loggerFactory?.CreateLogger("KafkaFast.Admin") ?? NullLogger.Instance;
        using (SafeConfigHandle conf = BuildConfiguration(options))
        {
            _rk = LibRdKafka.NewOrThrow(LibRdKafka.TypeProducer, conf);
        }

        try
        {
            LibrdkafkaLibrary.LogLoadedOnce(_logger);
            _dispatcher = new AdminRequestDispatcher(_rk, _logger);
        }
        catch
        {
            _rk.Dispose();
            throw;
        }
    }

    /// <summary>Requests sent and not yet answered (diagnostics).</summary>
    internal int PendingRequests => _dispatcher.PendingCount;

    /// <summary>Fails requests still waiting (with <see cref="KafkaErrorCode.Destroy"/>) and releases the client.</summary>
    public void Dispose()
    {
        _dispatcher.Dispose();
        _rk.Dispose();
    }

    private Task<T> Start<T>(AdminRequestName request, int api, int operationTimeoutMs, Action<SafeKafkaHandle, AdminEventQueue, AdminRequestSettings> issue,
        Func<SafeEventHandle, T> read, CancellationToken cancellationToken)
    {
        int timeout = _requestTimeoutMs;
        return _dispatcher.Start(request, (rk, queue, opaque) => issue(rk, queue, new AdminRequestSettings(api, opaque, timeout, operationTimeoutMs)), read, cancellationToken);
    }

    private static SafeConfigHandle BuildConfiguration(KafkaAdminClientOptions options)
    {
        var conf = new SafeConfigHandle();
        try
        {
            if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                LibRdKafka.ConfSetOrThrow(conf, "bootstrap.servers", options.BootstrapServers);
            }

            LibRdKafka.ConfSetOrThrow(conf, "client.id", options.ClientId);
            LibRdKafka.ConfSetOrThrow(conf, "log.queue", "true"); // log lines come to the result queue, never to stderr
            LibRdKafka.ConfSetNoLogCallback(conf); // nor those logged without a client (rk == NULL)
            foreach ((string key, string value) in options.Properties)
            {
                LibRdKafka.ConfSetOrThrow(conf, key, value, secret: KafkaProperties.IsSecret(key));
            }

            LibRdKafka.ConfSetEvents(conf, LibRdKafka.EventTypeError | LibRdKafka.EventTypeLog);
            return conf;
        }
        catch
        {
            conf.Dispose();
            throw;
        }
    }
}
