using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Counts the body bytes a request's handler read and wrote (opt-in, <see cref="KafkaRequestEventOptions.CountBodyBytes"/>):
/// wraps the request body stream and the response body feature for the rest of the pipeline, then puts them back.
/// Costs a few objects per request; without it the event carries the declared Content-Length values only.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The counting streams own nothing: the request owns the streams they wrap, and they hold no resource of their own.")]
internal sealed class BodyCounters : IHttpResponseBodyFeature
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _innerResponse;
    private readonly Stream _innerRequest;
    private readonly CountingReadStream _request;
    private CountingWriteStream? _responseStream;
    private CountingPipeWriter? _responseWriter;

    public BodyCounters(HttpContext context)
    {
        _context = context;
        _innerRequest = context.Request.Body;
        _request = new CountingReadStream(_innerRequest);
        context.Request.Body = _request;
        _innerResponse = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(this);
    }

    public long RequestBytes => _request.Count;

    public long ResponseBytes => (_responseStream?.Count ?? 0) + (_responseWriter?.Count ?? 0) + SentFileBytes;

    private long SentFileBytes { get; set; }

    public Stream Stream => _responseStream ??= new CountingWriteStream(_innerResponse.Stream);

    public PipeWriter Writer => _responseWriter ??= new CountingPipeWriter(_innerResponse.Writer);

    public void DisableBuffering() => _innerResponse.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _innerResponse.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await _innerResponse.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
        SentFileBytes += count ?? new FileInfo(path).Length - offset;
    }

    public Task CompleteAsync() => _innerResponse.CompleteAsync();

    /// <summary>Puts the original body stream and feature back.</summary>
    public void Restore()
    {
        _context.Request.Body = _innerRequest;
        _context.Features.Set(_innerResponse);
    }

    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long Count;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            Count += read;
            return read;
        }
    }

    private sealed class CountingWriteStream(Stream inner) : Stream
    {
        public long Count;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Count += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Count += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public long Count;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            inner.Advance(bytes);
            Count += bytes;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Count += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
