using System.Runtime.InteropServices;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Admin;

/// <summary>
/// Matches admin requests with their result events. Each request gets an id, passed to librdkafka as the opaque of
/// its AdminOptions; the result event carries it back. Results (and the client's error and log events) arrive on one
/// <see cref="AdminEventQueue"/>, drained on the thread pool when librdkafka signals it: a request in flight holds no
/// thread. Every request ends: librdkafka answers each one by its request timeout at the latest; cancellation and
/// <see cref="Dispose"/> end it earlier (a late result is then destroyed unread).
/// <para>
/// Sync rule: <see cref="_lock"/> guards <see cref="_pending"/>, <see cref="_root"/> and <see cref="_closed"/>.
/// Completions run outside it (continuations run asynchronously anyway).
/// </para>
/// </summary>
internal sealed class AdminRequestDispatcher : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SafeKafkaHandle _rk;
    private readonly AdminEventQueue _queue;
    private readonly ILogger _logger;

    /// <summary>Requests waiting for their result event, by id (the opaque). Lock: <see cref="_lock"/>.</summary>
    private readonly Dictionary<nint, PendingRequest> _pending = [];

    /// <summary>
    /// A strong handle to this dispatcher while requests are pending: a caller may drop the client and still await a
    /// result, and the client must not be finalized (destroying librdkafka) under it. Lock: <see cref="_lock"/>.
    /// </summary>
    private GCHandle _root;

    private nint _nextId;
    private bool _closed;

    internal AdminRequestDispatcher(SafeKafkaHandle rk, ILogger logger)
    {
        _rk = rk;
        _logger = logger;
        _queue = AdminEventQueue.Create(rk, Drain);
    }

    /// <summary>Requests in flight (for tests and diagnostics).</summary>
    internal int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Starts a request: <paramref name="issue"/> makes the librdkafka call with the given opaque and queue;
    /// <paramref name="read"/> turns the result event (checked for an event-level error first) into the result,
    /// throwing a <see cref="KafkaAdminException"/> for failed items. Argument errors of <paramref name="issue"/> throw here.
    /// </summary>
    internal Task<T> Start<T>(AdminRequestName request, Action<SafeKafkaHandle, AdminEventQueue, nint> issue, Func<SafeEventHandle, T> read, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var pending = new PendingRequest<T>(request, read);
        nint id;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(KafkaAdminClient));
            id = ++_nextId;
            _pending.Add(id, pending);
            if (_pending.Count == 1)
            {
                _root = GCHandle.Alloc(this);
            }
        }

        try
        {
            issue(_rk, _queue, id);
        }
        catch
        {
            Remove(id);
            throw;
        }

        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (dispatcher, id) = ((AdminRequestDispatcher, nint))state!;
                dispatcher.Remove(id)?.Cancel(token);
            }, (this, id));
        }

        return pending.Task;
    }

    /// <summary>Fails every pending request and closes the queue; later requests throw ObjectDisposedException.</summary>
    public void Dispose()
    {
        PendingRequest[] abandoned;
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            abandoned = [.. _pending.Values];
            _pending.Clear();
            FreeRootUnsynchronized();
        }

        foreach (PendingRequest request in abandoned)
        {
            request.Fail(new KafkaAdminException(request.Name.Operation, KafkaErrorCode.Destroy,
                $"{request.Name}: the admin client was disposed before the result arrived.", []));
        }

        _queue.Dispose();
    }

    private PendingRequest? Remove(nint id)
    {
        lock (_lock)
        {
            if (!_pending.Remove(id, out PendingRequest? request))
            {
                return null;
            }

            if (_pending.Count == 0)
            {
                FreeRootUnsynchronized();
            }

            return request;
        }
    }

    private void FreeRootUnsynchronized()
    {
        if (_root.IsAllocated)
        {
            _root.Free();
        }
    }

    /// <summary>
    /// Runs on the thread pool when the queue has events: takes them all. The first call may come before the
    /// constructor has returned (events can wait already), hence the queue as an argument. Never throws: an exception
    /// here would end the process.
    /// </summary>
    private void Drain(AdminEventQueue queue)
    {
        try
        {
            queue.BeginDrain();
            while (queue.TryTake(out SafeEventHandle? ev))
            {
                using (ev)
                {
                    try
                    {
                        Dispatch(ev!);
                    }
                    catch (Exception e)
                    {
                        // Reading one event must not stop the others from being served.
                        AdminLog.DispatchFailed(_logger, e);
                    }
                }
            }
        }
        catch (Exception e)
        {
            AdminLog.DispatchFailed(_logger, e);
        }
    }

    private void Dispatch(SafeEventHandle ev)
    {
        int type = AdminEvents.Type(ev);
        if (type == LibRdKafka.EventTypeLog)
        {
            AdminNativeLogLine line = AdminEvents.Log(ev);
            LogLevel level = line.Level switch { <= 2 => LogLevel.Critical, 3 => LogLevel.Error, 4 => LogLevel.Warning, 5 or 6 => LogLevel.Information, _ => LogLevel.Debug };
            if (_logger.IsEnabled(level))
            {
                AdminLog.Librdkafka(_logger, level, line.Facility, line.Text);
            }

            return;
        }

        if (type == LibRdKafka.EventTypeError)
        {
            AdminNativeError error = AdminEvents.Error(ev, out bool fatal);
            AdminLog.ClientError(_logger, (KafkaErrorCode)error.Code, error.Reason, fatal);
            return;
        }

        Remove(AdminEvents.Opaque(ev))?.Complete(ev); // null: cancelled or disposed meanwhile, or not ours
    }

    /// <summary>A request waiting for its event.</summary>
    private abstract class PendingRequest(AdminRequestName name)
    {
        internal AdminRequestName Name { get; } = name;

        internal CancellationTokenRegistration Registration { get; set; }

        /// <summary>Reads the event (on the draining thread, before the event is destroyed) and completes the task.</summary>
        internal abstract void Complete(SafeEventHandle ev);

        internal abstract void Fail(Exception exception);

        internal abstract void Cancel(CancellationToken token);
    }

    private sealed class PendingRequest<T>(AdminRequestName name, Func<SafeEventHandle, T> read) : PendingRequest(name)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Task<T> Task => _completion.Task;

        internal override void Complete(SafeEventHandle ev)
        {
            Registration.Dispose();
            try
            {
                AdminNativeError error = AdminEvents.Error(ev, out _);
                if (error.Code != 0)
                {
                    _completion.TrySetException(AdminErrors.RequestFailed(Name, error));
                    return;
                }

                _completion.TrySetResult(read(ev));
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        internal override void Fail(Exception exception)
        {
            Registration.Dispose();
            _completion.TrySetException(exception);
        }

        internal override void Cancel(CancellationToken token) => _completion.TrySetCanceled(token);
    }
}
