"""KServe V2 gRPC inference against a maas node with plain grpcio (the same code works against Triton).

The stubs are generated from the repository's .proto at start, so nothing but grpcio and grpc-tools is
needed (Debian: apt-get install python3-grpcio python3-grpc-tools).
"""
import importlib
import os
import pathlib
import struct
import sys
import tempfile

import grpc
from grpc_tools import protoc

PROTO_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared" / "src" / "main" / "proto"
out = tempfile.mkdtemp()
protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", f"--grpc_python_out={out}", "grpc_predict_v2.proto",
             "model_config.proto"])
sys.path.insert(0, out)
pb = importlib.import_module("grpc_predict_v2_pb2")
rpc = importlib.import_module("grpc_predict_v2_pb2_grpc")

key = os.environ.get("MAAS_API_KEY") or open("data/initial-api-key").read().strip()
auth = [("authorization", f"Bearer {key}")]  # or [("x-api-key", key)]
with grpc.insecure_channel("localhost:8001") as channel:
    stub = rpc.GRPCInferenceServiceStub(channel)
    print("ready:", stub.ServerReady(pb.ServerReadyRequest()).ready)

    # typed contents: Triton's `simple` adds and subtracts two INT32 [1, 16] tensors
    request = pb.ModelInferRequest(model_name="simple", id="example-2")
    for name, values in (("INPUT0", range(16)), ("INPUT1", [1] * 16)):
        tensor = request.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        tensor.contents.int_contents.extend(values)
    response = stub.ModelInfer(request, timeout=10, metadata=auth)
    for output in response.outputs:
        print(output.name, list(output.shape), list(output.contents.int_contents))

    # raw contents: little-endian bytes in, raw bytes out
    request = pb.ModelInferRequest(model_name="affine_fp32")
    request.inputs.add(name="INPUT0", datatype="FP32", shape=[2, 4])
    request.raw_input_contents.append(struct.pack("<8f", 1, 2, 3, 4, 0.5, 0.25, 0.125, -1))
    response = stub.ModelInfer(request, timeout=10, metadata=auth)
    output = response.outputs[0]
    print(output.name, list(output.shape), list(struct.unpack("<4f", response.raw_output_contents[0])))

    # a text model takes strings as BYTES and answers its pooled embedding
    request = pb.ModelInferRequest(model_name="all-minilm-l6-v2")
    request.inputs.add(name="text", datatype="BYTES", shape=[1]).contents.bytes_contents.append(b"hello world")
    request.outputs.add(name="embedding")
    response = stub.ModelInfer(request, timeout=10, metadata=auth)
    output = response.outputs[0]
    print(output.name, list(output.shape), [round(x, 4) for x in output.contents.fp32_contents[:3]])

    # an unknown model is a gRPC NOT_FOUND with a clear message
    try:
        stub.ModelMetadata(pb.ModelMetadataRequest(name="nope"), timeout=10, metadata=auth)
    except grpc.RpcError as e:
        print(e.code(), e.details())
