#!/usr/bin/python3
"""Builds models/asympad/: a small CNN whose convolutions pad one side only, as TensorFlow's SAME does at stride 2.

Model (seeded random weights, not trained; it exists to test asymmetric pads from ONNX through the RTL):
  ZeroPad2d(bottom 1, right 1) + conv 3x3 stride 2 (1 -> 4) + ReLU    8x8 -> 4x4
  ZeroPad2d(top 1, right 1) + conv 2x2 (4 -> 4) + ReLU                4x4 -> 4x4
  maxpool 2, flatten, linear 16 -> 5
PyTorch exports a ZeroPad2d as a chain of shape ops and a Pad, so the script writes the ONNX graph itself from the
module's weights, each ZeroPad2d as the pads [top, left, bottom, right] of its Conv (as TensorFlow converters write
SAME padding); the test logits come from PyTorch's own forward pass.

Run with Debian's interpreter (apt-get install -y python3-torch python3-onnx):
    /usr/bin/python3 scripts/make-asympad.py [OUTDIR]      # default models/asympad
Writes model.onnx, calib_x.npy (float32 16 x 1 x 8 x 8, standard normal pixels), test_x.npy (32 such images), test_logits.npy (PyTorch's
float outputs of the test images, for imcc's float interpreter) and test_y.npy (the float model's own class of each
test image: the network is untrained, so `imcc evaluate` measures how often the integer network agrees with it).
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

SEED = 5
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'models', 'asympad')


class AsymPadNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad1 = nn.ZeroPad2d((0, 1, 0, 1))  # left, right, top, bottom
        self.conv1 = nn.Conv2d(1, 4, 3, stride=2)
        self.pad2 = nn.ZeroPad2d((0, 1, 1, 0))
        self.conv2 = nn.Conv2d(4, 4, 2)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = torch.relu(self.conv1(self.pad1(x)))
        x = torch.relu(self.conv2(self.pad2(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


def onnx_model(net):
    """The network as ONNX opset 13, each ZeroPad2d written as its Conv's pads [top, left, bottom, right]."""
    h = onnx.helper
    w = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    inits = [numpy_helper.from_array(v.astype(np.float32), k) for k, v in w.items()]
    nodes = [
        h.make_node('Conv', ['input', 'conv1.weight', 'conv1.bias'], ['c1'], name='/conv1/Conv', kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1]),
        h.make_node('Relu', ['c1'], ['r1'], name='/Relu'),
        h.make_node('Conv', ['r1', 'conv2.weight', 'conv2.bias'], ['c2'], name='/conv2/Conv', kernel_shape=[2, 2], pads=[1, 0, 0, 1]),
        h.make_node('Relu', ['c2'], ['r2'], name='/Relu_1'),
        h.make_node('MaxPool', ['r2'], ['p'], name='/pool/MaxPool', kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node('Flatten', ['p'], ['f'], name='/Flatten', axis=1),
        h.make_node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['logits'], name='/fc/Gemm', transB=1),
    ]
    graph = h.make_graph(
        nodes, 'asympad', [h.make_tensor_value_info('input', onnx.TensorProto.FLOAT, [1, 1, 8, 8])],
        [h.make_tensor_value_info('logits', onnx.TensorProto.FLOAT, [1, 5])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid('', 13)], producer_name='scripts/make-asympad.py')


def main():
    torch.manual_seed(SEED)
    net = AsymPadNet().eval()
    rng = np.random.default_rng(SEED)
    calib = rng.standard_normal((16, 1, 8, 8), dtype=np.float32)
    test = rng.standard_normal((32, 1, 8, 8), dtype=np.float32)
    model = onnx_model(net)
    onnx.checker.check_model(model)
    os.makedirs(OUT, exist_ok=True)
    onnx.save(model, os.path.join(OUT, 'model.onnx'))
    with torch.no_grad():
        logits = net(torch.from_numpy(test)).numpy()
    np.save(os.path.join(OUT, 'calib_x.npy'), calib)
    np.save(os.path.join(OUT, 'test_x.npy'), test)
    np.save(os.path.join(OUT, 'test_logits.npy'), logits.astype(np.float32))
    np.save(os.path.join(OUT, 'test_y.npy'), logits.argmax(axis=1).astype(np.int64))
    print('pads:', [(n.name, [list(a.ints) for a in n.attribute if a.name == 'pads']) for n in model.graph.node if n.op_type == 'Conv'])


if __name__ == '__main__':
    main()
