#!/usr/bin/python3
"""Trains a Whetstone-style threshold (binary-activation) version of the digits CNN and exports it (docs/import.md).

Same data and split as scripts/train-digits.py (scikit-learn's 8x8 digits upsampled to 16x16, seed 12: 1297
training, 150 calibration, 350 test images), same layers, but every ReLU is a step at 0.5 (output 0 or 1), as in
Whetstone (Severa et al. 2019; Bennett et al. use it with CrossSim).

Training follows Whetstone's sharpening: each step starts as a bounded ReLU, clamp((x - 0.5) / w + 0.5, 0, 1), of
width w = 1 (a ReLU clipped to [0, 1]); from epoch 10 on w shrinks by 1/6 of its start every 5 epochs until the
activation is the step itself (w = 0). The step's gradient is then a straight-through estimator: the gradient of
the last bounded ReLU (1 between 0 and 1). The last epochs train with the exact step in the forward pass.

Export: ONNX opset 13 with BatchNormalization kept; each step is GreaterOrEqual(x, 0.5) + Cast to float, which
`imcc import` turns into `threshold(x, level L)` layers.

Run with Debian's interpreter (python3-torch, python3-sklearn, python3-onnx):
    /usr/bin/python3 scripts/train-digits-threshold.py [OUTDIR]    # default models/digits-threshold
Writes model.onnx and test_logits.npy (PyTorch's float logits of the test images). The data splits are the ones in
models/digits/ (this script checks that it rebuilds them identically).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = 12
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', 'models', 'digits-threshold')
DATA = os.path.join(HERE, '..', 'models', 'digits')
EPOCHS = 60


class SharpStep(torch.autograd.Function):
    """Forward: the step at 0.5 (w = 0) or the bounded ReLU of width w; backward: the bounded ReLU's gradient."""

    @staticmethod
    def forward(ctx, x, width):
        ctx.save_for_backward(x)
        ctx.width = max(width, 1e-6)
        if width <= 0:
            return (x >= 0.5).to(x.dtype)
        return torch.clamp((x - 0.5) / width + 0.5, 0.0, 1.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # Straight through the last width that still had a slope (at least 1/6 of the start).
        w = max(ctx.width, 1.0 / 6)
        inside = ((x - 0.5).abs() <= w / 2).to(grad.dtype)
        return grad * inside / w, None


class Step(nn.Module):
    def __init__(self):
        super().__init__()
        self.width = 1.0
        self.exporting = False

    def forward(self, x):
        if self.exporting:
            return (x >= 0.5).to(x.dtype)
        return SharpStep.apply(x, self.width)


class ThresholdDigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 10)
        self.steps = nn.ModuleList([Step(), Step(), Step()])

    def forward(self, x):
        x = F.max_pool2d(self.steps[0](self.bn1(self.conv1(x))), 2)
        y = self.steps[1](self.bn2(self.conv2(x)))
        x = self.steps[2](self.bn3(self.conv3(y)) + x)
        x = F.max_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))


def width_at(epoch):
    """Sharpening schedule: 1 until epoch 10, then 1/6 less every 5 epochs, 0 (the step) from epoch 35."""
    if epoch < 10:
        return 1.0
    return max(0.0, 1.0 - ((epoch - 10) // 5 + 1) / 6)


def main():
    torch.manual_seed(SEED)
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = F.interpolate(images, size=(16, 16), mode='bilinear', align_corners=False)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(SEED))
    images, labels = images[order], labels[order]
    train_x, train_y = images[:1297], labels[:1297]
    test_x, test_y = images[1447:], labels[1447:]
    committed = np.load(os.path.join(DATA, 'test_x.npy'))
    if not np.array_equal(committed, test_x.numpy().astype(np.float32)):
        sys.exit('the test split differs from models/digits/test_x.npy')

    model = ThresholdDigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.3)
    for epoch in range(EPOCHS):
        for step in model.steps:
            step.width = width_at(epoch)
        model.train()
        perm = torch.randperm(len(train_y))
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    for step in model.steps:
        step.exporting = True
    with torch.no_grad():
        logits = model(test_x)
    accuracy = (logits.argmax(1) == test_y).float().mean().item()
    print(f'float top-1 (exact steps) on the {len(test_y)} test images: {100 * accuracy:.2f}%')

    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(model, test_x[:1], os.path.join(OUT, 'model.onnx'), opset_version=13,
                      input_names=['image'], output_names=['logits'],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    np.save(os.path.join(OUT, 'test_logits.npy'), logits.numpy().astype(np.float32))


if __name__ == '__main__':
    main()
