"""`make archive`: list the local warranty archive in moto's S3 (`--show KEY` prints one object)."""

from __future__ import annotations

import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from infra.local import resources
from infra.local.settings import LocalSettings
from infra.topology import WARRANTY_ARCHIVE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.archive", description=__doc__)
    parser.add_argument("--prefix", default="warranties/", help="key prefix (default: warranties/)")
    parser.add_argument("--show", metavar="KEY", help="print this object's JSON")
    args = parser.parse_args(argv)
    settings = LocalSettings.from_environ()
    bucket = resources.bucket_name(WARRANTY_ARCHIVE)
    s3 = resources.client("s3", settings)
    try:
        if args.show:
            print(s3.get_object(Bucket=bucket, Key=args.show)["Body"].read().decode())
            return 0
        count = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=args.prefix):
            for item in page.get("Contents", []):
                print(
                    f"{item['LastModified']:%Y-%m-%d %H:%M:%S}  {item['Size']:>7}  s3://{bucket}/{item['Key']}"
                )
                count += 1
    except (BotoCoreError, ClientError) as error:
        print(
            f"error: cannot read s3://{bucket} at {settings.moto_url} (is `make run` running?): {error}",
            file=sys.stderr,
        )
        return 1
    print(f"{count} objects", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
