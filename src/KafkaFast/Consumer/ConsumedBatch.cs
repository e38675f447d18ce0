using System.Collections;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using KafkaFast.Consumer.Engine;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// Messages returned by one consume call: views over librdkafka's memory, valid until <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para><b>Ownership.</b> The batch owns its librdkafka messages through a SafeHandle. Dispose releases them
/// (and returns this object to the consumer's pool, so a steady consume loop allocates nothing). A batch that is
/// never disposed is released by its finalizer; it also delays the destruction of the consumer's librdkafka client
/// until then. Because the finalizer frees the messages, keep the batch referenced while you use spans taken from it
/// (a <c>using</c> declaration does that).</para>
/// <para><b>Views.</b> <see cref="ConsumedMessage"/> values remember the batch's generation: using one after the
/// batch was disposed throws <see cref="ObjectDisposedException"/> instead of reading freed memory. Spans obtained
/// from a view must not be kept past Dispose (like any pooled buffer). Reading a batch from several threads at once
/// is safe; disposing it while another thread reads it is not.</para>
/// </remarks>
public sealed class ConsumedBatch : IReadOnlyList<ConsumedMessage>, IDisposable
{
    // Rules (checked by AssertInvariants in Debug builds):
    // - Rented (between Rent and Dispose) or idle (in the pool, or released); an idle batch owns no message and no topic.
    // - While rented, _count == _messages.Count once filled, and slots [0, _count) all hold live messages: nothing is
    //   moved out or destroyed before Dispose invalidates the generation (under the engine's store lock).
    // - _generation only grows: a view made with an older value never reads the slots again (MessageAt checks it).
    // - Every topic of the messages is in _topicHandles, with its name at the same index of _topicNames.

    private readonly ConsumerEngine _engine;
    private readonly ConsumedBatchPool _pool;

    /// <summary>The messages (slots [0, Count)). Alive as long as this object: released by Dispose only if the pool is gone, else by its finalizer.</summary>
    private readonly SafeMessageBatchHandle _messages;

    /// <summary>Incremented by every Dispose; views carry the value they were made with.</summary>
    private int _generation;

    /// <summary>Messages in the batch for the current generation (fixed between fill and Dispose).</summary>
    private int _count;

    /// <summary>1 between Rent and Dispose. Makes Dispose idempotent.</summary>
    private int _rented;

    /// <summary>Topics seen in this batch: rd_kafka_topic_t pointers and their cached names (filled once, then read-only).</summary>
    private nint[] _topicHandles = new nint[4];
    private string[] _topicNames = new string[4];
    private int _topicCount;

    /// <summary>Scratch: slot of the last message of each partition (see <see cref="CollectPartitionEnds"/>). Guarded by the store lock.</summary>
    private int[] _partitionEnds = new int[8];

    internal ConsumedBatch(ConsumerEngine engine, ConsumedBatchPool pool, SafeMessageBatchHandle messages)
    {
        _engine = engine;
        _pool = pool;
        _messages = messages;
    }

    /// <summary>The number of messages.</summary>
    public int Count
    {
        get
        {
            ThrowIfDisposed();
            return _count;
        }
    }

    /// <summary>True when the call returned no message (timeout or close).</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The consumer that returned this batch.</summary>
    public KafkaConsumer Consumer => _engine.Owner;

    /// <summary>The message at <paramref name="index"/>.</summary>
    public ConsumedMessage this[int index]
    {
        get
        {
            ThrowIfDisposed();
            if ((uint)index >= (uint)_count)
            {
                ThrowIndexOutOfRange(index);
            }

            return new ConsumedMessage(this, index, _generation);
        }
    }

    internal int Generation => _generation;

    internal SafeMessageBatchHandle Messages => _messages;

    internal ConsumerEngine Engine => _engine;

    internal bool IsRented => Volatile.Read(ref _rented) == 1;

    /// <summary>Enumerates the messages without allocating.</summary>
    public Enumerator GetEnumerator()
    {
        ThrowIfDisposed();
        return new Enumerator(this);
    }

    IEnumerator<ConsumedMessage> IEnumerable<ConsumedMessage>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Stores this batch's offsets (per partition, the highest offset + 1) for the next commit: say that the batch
    /// is processed. In <see cref="CommitMode.Auto"/> that is also done by the next consume call.
    /// </summary>
    public void StoreOffsets() => _engine.StoreOffsets(this);

    /// <summary>Per partition in this batch, the offset to commit: its highest offset + 1 (allocates).</summary>
    public IReadOnlyList<TopicPartitionOffset> GetCommitOffsets()
    {
        lock (_engine.StoreLock)
        {
            ThrowIfDisposed(); // under the lock: a concurrent Dispose cannot free the messages meanwhile
            int ends = CollectPartitionEnds();
            var result = new TopicPartitionOffset[ends];
            for (int i = 0; i < ends; i++)
            {
                nint message = _messages.MessageAt(_partitionEnds[i]);
                result[i] = new TopicPartitionOffset(TopicOf(RdKafkaMessageFields.Topic(message)), RdKafkaMessageFields.Partition(message), RdKafkaMessageFields.Offset(message) + 1);
            }

            return result;
        }
    }

    /// <summary>Releases the messages (their spans become invalid) and recycles the batch. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 0)
        {
            return;
        }

        _engine.OnBatchDisposing(this); // bumps the generation (every view throws from here on); Auto mode may keep the last message per partition
        _count = 0;
        _topicCount = 0;
        _messages.DestroyMessages();
        AssertInvariants();
        _pool.Return(this);
    }

    /// <inheritdoc/>
    public override string ToString() => IsRented ? $"ConsumedBatch({_count} messages)" : "ConsumedBatch(disposed)";

    /// <summary>Makes every view of this batch stale. Called by Dispose, under the consumer's store lock.</summary>
    internal void Invalidate() => _generation++;

    /// <summary>Called by the pool when handing the batch out.</summary>
    internal void Rent(int capacity)
    {
        AssertInvariants();
        _messages.EnsureCapacity(capacity);
        _count = 0;
        _topicCount = 0;
        Volatile.Write(ref _rented, 1);
    }

    /// <summary>After a fill: fixes the count and resolves each distinct topic once (names come from the consumer's cache).</summary>
    internal void Activate(int count, TopicNameCache names)
    {
        nint last = 0;
        for (int i = 0; i < count; i++)
        {
            nint rkt = RdKafkaMessageFields.Topic(_messages.MessageAt(i));
            if (rkt == last)
            {
                continue;
            }

            last = rkt;
            if (FindTopic(rkt) < 0)
            {
                if (_topicCount == _topicHandles.Length)
                {
                    Array.Resize(ref _topicHandles, _topicCount * 2);
                    Array.Resize(ref _topicNames, _topicCount * 2);
                }

                _topicHandles[_topicCount] = rkt;
                _topicNames[_topicCount] = names.Get(rkt);
                _topicCount++;
            }
        }

        _count = count;
        AssertInvariants();
    }

    /// <summary>The view's message, or throws when the view is stale (its batch was disposed since).</summary>
    internal nint MessageAt(int index, int generation)
    {
        if (generation != _generation)
        {
            ThrowStale();
        }

        return _messages.MessageAt(index);
    }

    internal string TopicOf(nint rkt)
    {
        int i = FindTopic(rkt);
        return i >= 0 ? _topicNames[i] : _engine.TopicNames.Get(rkt);
    }

    private int FindTopic(nint rkt)
    {
        for (int i = 0; i < _topicCount; i++)
        {
            if (_topicHandles[i] == rkt)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Fills <see cref="PartitionEnds"/> with the slot of the last (highest-offset) message of each partition in the
    /// batch and returns how many there are. The caller holds the engine's store lock (the scratch array is shared
    /// by the consume thread and application threads).
    /// </summary>
    internal int CollectPartitionEnds()
    {
        Debug.Assert(_engine.StoreLock.IsHeldByCurrentThread, "CollectPartitionEnds without the store lock");
        return _messages.CollectPartitionEnds(_count, ref _partitionEnds);
    }

    internal ReadOnlySpan<int> PartitionEnds(int count) => _partitionEnds.AsSpan(0, count);

    internal void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _rented) == 0)
        {
            ThrowDisposed();
        }
    }

    /// <summary>Checks the rules at the top of this class (Debug builds only; one message per rule).</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        if (!IsRented)
        {
            Debug.Assert(_count == 0, "an idle batch has no messages");
            Debug.Assert(_topicCount == 0, "an idle batch has no topics");
            Debug.Assert(_messages.IsClosed || _messages.Count == 0, "an idle batch owns no librdkafka message");
            return;
        }

        Debug.Assert(_count == _messages.Count, "the batch's count and its handle's disagree");
        Debug.Assert(_count <= _messages.Capacity, "more messages than slots");
        Debug.Assert(_messages.AllSlotsFilled(), "a slot of a live batch holds no message");
        Debug.Assert(_topicCount <= _topicHandles.Length && _topicHandles.Length == _topicNames.Length, "topic tables out of step");
        for (int i = 0; i < _count; i++)
        {
            Debug.Assert(FindTopic(RdKafkaMessageFields.Topic(_messages.MessageAt(i))) >= 0, "a message's topic was not resolved at activation");
        }
    }

    [DoesNotReturn]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(ConsumedBatch), "The batch was disposed; its messages are released.");

    [DoesNotReturn]
    private static void ThrowStale() => throw new ObjectDisposedException(nameof(ConsumedBatch), "This message view belongs to a batch that was disposed; its memory is released.");

    [DoesNotReturn]
    private void ThrowIndexOutOfRange(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch has {_count} messages.");

    /// <summary>Enumerates a batch's messages without allocating.</summary>
    public struct Enumerator : IEnumerator<ConsumedMessage>
    {
        private readonly ConsumedBatch _batch;
        private readonly int _generation;
        private readonly int _count;
        private int _index;

        internal Enumerator(ConsumedBatch batch)
        {
            _batch = batch;
            _generation = batch._generation;
            _count = batch._count;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly ConsumedMessage Current => new(_batch, _index, _generation);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext()
        {
            if (_batch._generation != _generation)
            {
                ThrowStale();
            }

            return ++_index < _count;
        }

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
