"""A hand-made protobuf encoder for ONNX test files (onnx.proto field numbers), shared by the
golden scripts that write ONNX fixtures (no onnx package needed)."""
import struct


def varint(n):
    n &= (1 << 64) - 1  # int64 two's complement
    out = b''
    while True:
        b = n & 0x7f; n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(f, wt):
    return varint(f << 3 | wt)


def fv(f, n):  # varint field
    return key(f, 0) + varint(n)


def fb(f, b):  # length-delimited field
    if isinstance(b, str):
        b = b.encode()
    return key(f, 2) + varint(len(b)) + b


# TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8, raw_data 9,
# double_data 10, external_data 13 (key 1, value 2), data_location 14.
def tensor(name, dims, dtype, raw=None, floats=None, int64s=None, doubles=None, external=None):
    b = b''.join(fv(1, d) for d in dims) + fv(2, dtype) + fb(8, name)
    if raw is not None:
        b += fb(9, raw)
    if floats is not None:
        b += fb(4, struct.pack('<%df' % len(floats), *floats))
    if int64s is not None:
        b += fb(7, b''.join(varint(x) for x in int64s))
    if doubles is not None:
        b += fb(10, struct.pack('<%dd' % len(doubles), *doubles))
    if external is not None:
        b += b''.join(fb(13, fb(1, k) + fb(2, str(v))) for k, v in external.items()) + fv(14, 1)
    return b


# AttributeProto: name 1, f 2, i 3, t 5, ints 8, type 20 (FLOAT 1, INT 2, TENSOR 4, INTS 7).
def node(op, ins, outs, name, attrs=b''):
    return b''.join(fb(1, i) for i in ins) + b''.join(fb(2, o) for o in outs) + fb(3, name) + fb(4, op) + attrs


def const_node(out, t):
    return node('Constant', [], [out], 'const_' + out, fb(5, fb(1, 'value') + fb(5, t) + fv(20, 4)))
