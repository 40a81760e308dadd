using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace NurtureEngine.Data;

/// <summary>A fault that says nothing about the work itself (the database away or restarting, a timeout): retry it later, never fail the work for it.</summary>
public static class Transient
{
    public static bool Is(Exception e) => e switch
    {
        NpgsqlException { IsTransient: true } => true,
        PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53300" } => true, // shutdown, crash, starting up, too many connections
        TimeoutException => true,
        DbUpdateException { InnerException: { } inner } => Is(inner),
        InvalidOperationException { InnerException: { } inner } => Is(inner),
        _ => false,
    };
}
