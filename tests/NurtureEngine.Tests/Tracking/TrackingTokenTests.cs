using System.Security.Cryptography;
using NurtureEngine.Tracking;

namespace NurtureEngine.Tests.Tracking;

public sealed class TrackingTokenTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void ASignedToken_VerifiesToItsMessageKindAndLink()
    {
        var id = Guid.CreateVersion7();
        var token = new TrackingToken(id, TrackingKind.Click, 7).Sign(Key);

        var parsed = TrackingToken.Verify(token, Key, TrackingKind.Click);

        Assert.Equal(new TrackingToken(id, TrackingKind.Click, 7), parsed);
        Assert.True(token.Length <= 48, $"token is {token.Length} characters");
    }

    [Fact]
    public void EveryAlteredCharacter_MakesTheTokenInvalid()
    {
        var token = new TrackingToken(Guid.CreateVersion7(), TrackingKind.Open).Sign(Key);
        for (var i = 0; i < token.Length; i++)
        {
            var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.Null(TrackingToken.Verify(altered, Key, TrackingKind.Open));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("not a token at all")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("%%%%")]
    public void Garbage_IsRejected(string token) => Assert.Null(TrackingToken.Verify(token, Key, TrackingKind.Click));

    [Fact]
    public void ATokenOfOneKind_DoesNotPassAsAnother_NorUnderAnotherKey()
    {
        var token = new TrackingToken(Guid.CreateVersion7(), TrackingKind.Open).Sign(Key);

        Assert.Null(TrackingToken.Verify(token, Key, TrackingKind.Unsubscribe));
        Assert.Null(TrackingToken.Verify(token, RandomNumberGenerator.GetBytes(32), TrackingKind.Open));
        Assert.Null(TrackingToken.Verify(token[..^3], Key, TrackingKind.Open));
    }
}
