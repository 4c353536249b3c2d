"""Build files the benchmarks' generated repositories share."""

from __future__ import annotations


def spring_pom(artifact_id: str, version: str, starters: tuple[str, ...], extra: str = "") -> str:
    """A Spring Boot 3.2 ``pom.xml`` on Java 17 with the given starters (and any extra dependency XML)."""
    dependencies = "".join(
        "    <dependency><groupId>org.springframework.boot</groupId>"
        f"<artifactId>spring-boot-starter-{starter}</artifactId></dependency>\n"
        for starter in starters
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.5</version>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>{artifact_id}</artifactId>
  <version>{version}</version>
  <properties>
    <java.version>17</java.version>
  </properties>
  <dependencies>
{dependencies}{extra}  </dependencies>
</project>
"""
