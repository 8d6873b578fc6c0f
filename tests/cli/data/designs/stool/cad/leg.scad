// fabnet test fixture: a stool leg
cube([30, 30, 180]);
