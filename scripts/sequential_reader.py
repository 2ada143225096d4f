#!/usr/bin/env python3
"""The baseline `make bench` compares `parkctl plan` with: a sequential
reader doing the same reads as a straightforward boto3 tool would.

One request at a time: for each service, its list calls (AWS's largest
pages), then one describe per selected resource (the values no list
returns, as parkctl reads them), then a day of each usage metric per
resource with one GetMetricStatistics each (what `parkctl plan` prices
usage from: Lambda invocations, duration and log ingestion, Kinesis
incoming bytes and records, DynamoDB consumed capacity per table and
index).

    .venv/bin/python scripts/sequential_reader.py --endpoint URL --account JSON

--account names what the bench profile selects (see examples/bench/account.rs):
{"functions": PREFIX, "streams": PREFIX, "alarms": PREFIX, "tables": PREFIX,
 "endpoints": PREFIX, "notebooks": PREFIX, "db": PREFIX, "aurora": PREFIX,
 "warehouses": PREFIX, "tag": [KEY, VALUE], "groups": PREFIX,
 "ecs_cluster": NAME, "services": PREFIX, "eks_cluster": NAME,
 "nodegroups": PREFIX, "logs": PREFIX}

Prints JSON: {"seconds": time in the reads (after start-up), "calls":
{"service Operation": n}, "total": n, "metrics": n}.
"""

import argparse
import collections
import datetime
import json
import time

import boto3
import botocore.config

CALLS = collections.Counter()


def count(model, **_):
    CALLS[f"{model.service_model.service_id} {model.name}"] += 1


def client(name, endpoint):
    c = boto3.client(
        name,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(
            retries={"mode": "standard", "max_attempts": 3},
            max_pool_connections=1,
        ),
    )
    c.meta.events.register("before-call.*.*", count)
    return c


def pages(c, op, key, **kw):
    for page in c.get_paginator(op).paginate(**kw):
        yield from page.get(key, [])


def lambda_reads(aws, a):
    lam = aws["lambda"]
    names = [
        f["FunctionName"]
        for f in pages(lam, "list_functions", "Functions", PaginationConfig={"PageSize": 50})
        if f["FunctionName"].startswith(a["functions"])
    ]
    for n in names:
        lam.get_function_concurrency(FunctionName=n)
    list(pages(lam, "list_event_source_mappings", "EventSourceMappings"))
    try:
        lam.get_account_settings()
    except lam.exceptions.ClientError:
        pass  # moto 5.2.5 has no route for boto3's path of it (parkctl's works)
    list(pages(aws["logs"], "describe_log_groups", "logGroups", logGroupNamePrefix=a["logs"]))
    return names


def kinesis_reads(aws, a):
    k = aws["kinesis"]
    names, start = [], {}
    while True:  # ListStreams pages by the last name seen
        out = k.list_streams(Limit=10000, **start)
        names += [s for s in out["StreamNames"] if s.startswith(a["streams"])]
        if not out.get("HasMoreStreams") or not out["StreamNames"]:
            break
        start = {"ExclusiveStartStreamName": out["StreamNames"][-1]}
    for n in names:
        k.describe_stream_summary(StreamName=n)
    return names


def alarm_reads(aws, a):
    list(
        pages(
            aws["cloudwatch"],
            "describe_alarms",
            "MetricAlarms",
            AlarmNamePrefix=a["alarms"],
            PaginationConfig={"PageSize": 100},
        )
    )


def table_reads(aws, a):
    d = aws["dynamodb"]
    tables = []
    for n in pages(d, "list_tables", "TableNames"):
        if n.startswith(a["tables"]):
            t = d.describe_table(TableName=n)["Table"]
            gsis = [g["IndexName"] for g in t.get("GlobalSecondaryIndexes", [])]
            tables.append((n, gsis))
    scaling = aws["application-autoscaling"]
    list(pages(scaling, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="dynamodb"))
    return tables


def sagemaker_reads(aws, a):
    sm = aws["sagemaker"]
    for e in pages(sm, "list_endpoints", "Endpoints", NameContains=a["endpoints"]):
        d = sm.describe_endpoint(EndpointName=e["EndpointName"])
        sm.describe_endpoint_config(EndpointConfigName=d["EndpointConfigName"])
    for nb in pages(sm, "list_notebook_instances", "NotebookInstances", NameContains=a["notebooks"]):
        sm.describe_notebook_instance(NotebookInstanceName=nb["NotebookInstanceName"])


def database_reads(aws, a):
    list(pages(aws["rds"], "describe_db_instances", "DBInstances"))
    list(pages(aws["rds"], "describe_db_clusters", "DBClusters"))
    list(pages(aws["redshift"], "describe_clusters", "Clusters"))


def compute_reads(aws, a):
    key, value = a["tag"]
    list(
        pages(
            aws["ec2"],
            "describe_instances",
            "Reservations",
            Filters=[{"Name": f"tag:{key}", "Values": [value]}],
        )
    )
    list(pages(aws["autoscaling"], "describe_auto_scaling_groups", "AutoScalingGroups"))


def container_reads(aws, a):
    ecs = aws["ecs"]
    arns = [
        s
        for s in pages(ecs, "list_services", "serviceArns", cluster=a["ecs_cluster"])
        if s.rsplit("/", 1)[-1].startswith(a["services"])
    ]
    for i in range(0, len(arns), 10):
        ecs.describe_services(cluster=a["ecs_cluster"], services=arns[i : i + 10])
    eks = aws["eks"]
    for g in pages(eks, "list_nodegroups", "nodegroups", clusterName=a["eks_cluster"]):
        if g.startswith(a["nodegroups"]):
            eks.describe_nodegroup(clusterName=a["eks_cluster"], nodegroupName=g)


def usage(aws, a, functions, streams, tables):
    """A day of each usage metric per resource, one call each."""
    wanted = []
    for f in functions:
        for m in ["Invocations", "Duration"]:
            wanted.append(("AWS/Lambda", m, [("FunctionName", f)]))
        wanted.append(("AWS/Logs", "IncomingBytes", [("LogGroupName", a["logs"] + f)]))
    for s in streams:
        for m in ["IncomingBytes", "IncomingRecords"]:
            wanted.append(("AWS/Kinesis", m, [("StreamName", s)]))
    for t, gsis in tables:
        for m in ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"]:
            wanted.append(("AWS/DynamoDB", m, [("TableName", t)]))
            for g in gsis:
                wanted.append(
                    ("AWS/DynamoDB", m, [("TableName", t), ("GlobalSecondaryIndexName", g)])
                )
    end = datetime.datetime.now(datetime.timezone.utc)
    start = end - datetime.timedelta(hours=24)
    for ns, metric, dims in wanted:
        aws["cloudwatch"].get_metric_statistics(
            Namespace=ns,
            MetricName=metric,
            Dimensions=[{"Name": n, "Value": v} for n, v in dims],
            StartTime=start,
            EndTime=end,
            Period=86400,
            Statistics=["Sum"],
        )
    return len(wanted)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--account", required=True, help="JSON: what the profile selects")
    args = p.parse_args()
    a = json.loads(args.account)
    names = [
        "lambda", "logs", "kinesis", "cloudwatch", "dynamodb", "application-autoscaling",
        "sagemaker", "rds", "redshift", "ec2", "autoscaling", "ecs", "eks",
    ]
    aws = {n: client(n, args.endpoint) for n in names}
    started = time.monotonic()
    functions = lambda_reads(aws, a)
    streams = kinesis_reads(aws, a)
    alarm_reads(aws, a)
    tables = table_reads(aws, a)
    sagemaker_reads(aws, a)
    database_reads(aws, a)
    compute_reads(aws, a)
    container_reads(aws, a)
    metrics = usage(aws, a, functions, streams, tables)
    seconds = time.monotonic() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "calls": dict(sorted(CALLS.items())),
                "total": sum(CALLS.values()),
                "metrics": metrics,
            }
        )
    )


if __name__ == "__main__":
    main()
