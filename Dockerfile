# syntax=docker/dockerfile:1
# NurtureEngine web/worker image. One image, two roles: set Nurture__Role=web or worker.
#   docker build -t nurture-engine .
#   docker compose up          (see docker-compose.yml)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# .dockerignore keeps bin/, obj/, tests/, .git and local data out of the context
# npm vendors the email editor (GrapesJS) into wwwroot/lib during the build
RUN apt-get update -q && apt-get install -y -q --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
COPY . .
RUN dotnet publish src/NurtureEngine.Web/NurtureEngine.Web.csproj \
      -c Release -o /app/publish -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_HTTP_PORTS= \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
COPY --from=build /app/publish .
# non-root user shipped with the .NET images
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "NurtureEngine.Web.dll"]
